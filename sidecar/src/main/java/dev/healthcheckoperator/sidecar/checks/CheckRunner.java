package dev.healthcheckoperator.sidecar.checks;

import dev.healthcheckoperator.sidecar.checks.probes.Probe;
import dev.healthcheckoperator.sidecar.checks.probes.ProbeDeadline;
import dev.healthcheckoperator.sidecar.checks.spec.Check;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Runs one check on its period, from a random offset inside the first period (as the kubelet's probe workers
 * do), so that many checks do not all fire in the same millisecond. At most one probe is in flight, and it ends
 * at its deadline: the deadline aborts its I/O and frees the slot, so a hung or trickling upstream costs one
 * Timeout per period and the next period starts a fresh probe. A tick that still finds a probe running (only
 * when the event loop itself was late) records a Timeout instead of starting another.
 */
final class CheckRunner {

    private static final Duration[] DURATION_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10)};

    private final Check check;
    private final Probe probe;
    private final Vertx vertx;
    private final Clock clock;
    private final Timer duration;
    private final Counter skipped;
    private final Map<FailureReason, Counter> failures = new EnumMap<>(FailureReason.class);
    private volatile CheckStatus status;
    /** Null when the check's flap detection is off. */
    private final FlapDetector flapDetector;
    private long periodicTimer = -1;
    /** The probe under way, or null; guarded by {@code this}. */
    private Attempt inFlight;
    /** When a period last ended with a recorded result (System.nanoTime()); liveness watches it for a stall. */
    private volatile long lastCompletedNanos = System.nanoTime();

    private final class Attempt {
        final long startNanos = System.nanoTime();
    }

    CheckRunner(Check check, Probe probe, Vertx vertx, MeterRegistry registry, Clock clock) {
        this.check = check;
        this.probe = probe;
        this.vertx = vertx;
        this.clock = clock;
        this.status = CheckStatus.initial(check.name(), check.critical());
        this.flapDetector = check.flapLimits().enabled() ? new FlapDetector(check.flapLimits()) : null;
        Tags tags = Tags.of("check", check.name());
        this.duration = Timer.builder("sidecar.check.duration").description("Time taken by each probe")
                .tags(tags).serviceLevelObjectives(DURATION_BUCKETS).register(registry);
        this.skipped = Counter.builder("sidecar.check.skipped")
                .description("Ticks that found the previous probe still running").tags(tags).register(registry);
        for (FailureReason reason : FailureReason.values()) {
            failures.put(reason, Counter.builder("sidecar.check.failures").description("Failed probes by reason")
                    .tags(tags.and("reason", reason.name())).register(registry));
        }
        Gauge.builder("sidecar.check.up", this, r -> r.status.state() == CheckStatus.State.ok ? 1
                        : r.status.state() == CheckStatus.State.failing ? 0 : Double.NaN)
                .description("1 when the check passes its thresholds, 0 when it fails them, NaN before")
                .tags(tags.and("critical", Boolean.toString(check.critical()))).register(registry);
        Gauge.builder("sidecar.check.consecutive.failures", this, r -> r.status.consecutiveFailures())
                .description("Failed probes in a row").tags(tags).register(registry);
        probe.registerMeters(registry, tags);
        Gauge.builder("sidecar.check.flapping", this, r -> r.status.flapping() ? 1 : 0)
                .description("1 while the check's state changes more often than its flapDetection allows")
                .tags(tags).register(registry);
    }

    CheckStatus status() {
        return status;
    }

    /** True when no period has completed for {@code periods} periods: the scheduler has stopped running it. */
    boolean stalled(long nowNanos, int periods) {
        return nowNanos - lastCompletedNanos > periods * check.period().toNanos();
    }

    String name() {
        return check.name();
    }

    void start() {
        lastCompletedNanos = System.nanoTime();
        long periodMillis = check.period().toMillis();
        periodicTimer = vertx.setPeriodic(initialDelayMillis(periodMillis, ThreadLocalRandom.current()), periodMillis,
                id -> tick());
    }

    /** The first tick, uniformly inside the first period (at least 1 ms: Vert.x refuses a zero delay). */
    static long initialDelayMillis(long periodMillis, RandomGenerator random) {
        return 1 + random.nextLong(Math.max(1, periodMillis));
    }

    void stop() {
        if (periodicTimer >= 0) {
            vertx.cancelTimer(periodicTimer);
        }
        probe.close();
    }

    synchronized void tick() {
        long timeoutMillis = check.timeout().toMillis();
        if (inFlight != null) {
            skipped.increment();
            record(ProbeOutcome.failure(FailureReason.Timeout, "previous probe still running after "
                    + check.timeout().toSeconds() + "s"), elapsedMillis(inFlight));
            return;
        }
        Attempt attempt = new Attempt();
        inFlight = attempt;
        // Completes with the outcome, or with a Timeout once the deadline has aborted the probe's I/O.
        ProbeDeadline.run(vertx, probe, timeoutMillis).onComplete(result -> finish(attempt,
                result.succeeded() ? result.result() : ProbeOutcome.fromError(result.cause())));
    }

    /** Reports an attempt and frees the slot: nothing of the probe is left running once its future completes. */
    private synchronized void finish(Attempt attempt, ProbeOutcome outcome) {
        long latency = elapsedMillis(attempt);
        duration.record(latency, TimeUnit.MILLISECONDS);
        record(outcome, latency);
        if (inFlight == attempt) {
            inFlight = null;
        }
    }

    private void record(ProbeOutcome outcome, long latencyMillis) {
        if (!outcome.success()) {
            failures.get(outcome.reason()).increment();
        }
        CheckStatus next = status.next(outcome, latencyMillis, clock.instant(), check.failureThreshold(),
                check.successThreshold());
        status = flapDetector == null ? next : next.withFlapping(flapDetector.record(next.changedFrom(status)));
        lastCompletedNanos = System.nanoTime();
    }

    private static long elapsedMillis(Attempt attempt) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - attempt.startNanos);
    }
}
