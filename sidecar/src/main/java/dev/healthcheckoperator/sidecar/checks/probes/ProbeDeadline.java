package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one deadline of one probe (its {@code timeoutSeconds}), covering name resolution, connect, TLS, headers
 * and body, like blackbox_exporter's context deadline. Each step asks it for the time left; each piece of I/O
 * registers how to abort it, and at the deadline everything registered is aborted (a request reset, a connection
 * closed), so a trickling or endless upstream never keeps the probe, or its connection, beyond the deadline.
 */
public final class ProbeDeadline {

    private final long timeoutMillis;
    private final long deadlineNanos;
    private final List<Runnable> cancellations = new ArrayList<>(2);
    private volatile String phase = "connecting";
    private volatile FailureReason timeoutReason = FailureReason.Timeout;
    private boolean cancelled;

    ProbeDeadline(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
        this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /**
     * Runs one probe under a deadline of {@code timeoutMillis}: the future completes with the probe's outcome, or
     * with a {@code Timeout} at the deadline after the probe's I/O was aborted. A probe that throws while it
     * starts, or fails its future, is a {@code ProbeError}: it never leaves the caller waiting. The probe always
     * starts on an event loop.
     */
    public static Future<ProbeOutcome> run(Vertx vertx, Probe probe, long timeoutMillis) {
        if (!Context.isOnEventLoopThread()) {
            // A probe chains its handlers in the event-loop turn its I/O completes in: chained from another thread,
            // an HTTP response whose body arrived with its headers may have ended before the body handlers are in
            // place, and Vert.x refuses a handler on an ended response (an IllegalStateException). CheckRunner calls
            // from an event loop; anything else (a test, a future caller) is moved onto one, for every kind of probe.
            Promise<ProbeOutcome> outcome = Promise.promise();
            vertx.runOnContext(v -> run(vertx, probe, timeoutMillis).onComplete(outcome));
            return outcome.future();
        }
        ProbeDeadline deadline = new ProbeDeadline(timeoutMillis);
        Promise<ProbeOutcome> outcome = Promise.promise();
        long timer = vertx.setTimer(timeoutMillis, id -> {
            // Timeout first: aborting the I/O fails the probe's future at once, with a reason that is not the cause.
            outcome.tryComplete(ProbeOutcome.failure(deadline.timeoutReason,
                    "no complete answer within " + formatMillis(timeoutMillis) + " (" + deadline.phase + ")"));
            deadline.cancel();
        });
        Future<ProbeOutcome> started;
        try {
            started = probe.run(deadline);
        } catch (RuntimeException | LinkageError e) {
            started = Future.failedFuture(e);
        }
        started.onComplete(result -> {
            vertx.cancelTimer(timer);
            outcome.tryComplete(result.succeeded() ? result.result() : startFailure(result.cause()));
        });
        return outcome.future();
    }

    private static ProbeOutcome startFailure(Throwable error) {
        ProbeOutcome classified = ProbeOutcome.fromError(error);
        if (classified.reason() != FailureReason.ProbeError) {
            return classified;
        }
        return ProbeOutcome.failure(FailureReason.ProbeError, "the probe could not run: "
                + error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage()));
    }

    private static String formatMillis(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** Time left for the next step, at least 1 ms so that it is always a bounded wait, never "no timeout". */
    public long remainingMillis() {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** What the probe is waiting for, named in the Timeout message. */
    public void phase(String waitingFor) {
        this.phase = waitingFor;
    }

    /**
     * The reason reported when the deadline passes, Timeout unless a probe names its own: a DNS query that gets no
     * answer is a DnsFailure, as a resolver reports it.
     */
    public void timeoutReason(FailureReason reason) {
        this.timeoutReason = reason;
    }

    /** Registers how to abort a piece of I/O at the deadline; runs it at once when the deadline has passed. */
    public void onCancel(Runnable abort) {
        synchronized (this) {
            if (!cancelled) {
                cancellations.add(abort);
                return;
            }
        }
        runQuietly(abort);
    }

    public synchronized boolean cancelled() {
        return cancelled;
    }

    void cancel() {
        List<Runnable> toRun;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toRun = List.copyOf(cancellations);
            cancellations.clear();
        }
        toRun.forEach(ProbeDeadline::runQuietly);
    }

    private static void runQuietly(Runnable abort) {
        try {
            abort.run();
        } catch (RuntimeException ignored) {
            // Aborting something that already ended is harmless; the deadline must not throw.
        }
    }
}
