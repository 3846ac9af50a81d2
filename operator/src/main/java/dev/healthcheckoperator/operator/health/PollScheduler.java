package dev.healthcheckoperator.operator.health;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import dev.healthcheckoperator.operator.config.OperatorConfig;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Polls every watched HealthCheck on its own schedule: the next poll of a target is planned when its previous one
 * completes (so at most one is in flight per target), at the poll interval with some jitter, and with a growing
 * backoff while it stays unreachable. Polls wait for a slot in one of three lanes: targets that answered their
 * last poll, targets that did not, and new targets (not polled yet at this address). So a crowd of unreachable
 * sidecars, each holding its slot until the deadline, cannot delay the polls of the reachable ones, nor can a crowd
 * of new HealthChecks. In the lane of failing targets, those whose verdict is still pending go first. A poll in the
 * lane of answering or new targets that has no answer after a quarter of its deadline moves to the lane of failing
 * ones, so sidecars that suddenly stop answering (all at once, behind a new NetworkPolicy) do not hold up the
 * reachable ones either. In flight at once: at most three times the concurrency, plus the slow polls moved over,
 * which are bounded by how many can start in a quarter of a deadline.
 * <p>
 * Targets are keyed by the HealthCheck's UID and replaced when their address changes: an answer from a target that
 * was replaced or forgotten meanwhile is dropped, so a late answer never overwrites a newer one, and a HealthCheck
 * deleted and created again under the same name starts afresh.
 * <p>
 * All bookkeeping runs on one timer thread; the polls themselves run on the HTTP client's threads. Every step on
 * the timer thread is guarded, so a failure costs at most one poll of one target and is logged and counted: it can
 * never end polling.
 */
final class PollScheduler {

    private static final Logger LOG = Logger.getLogger(PollScheduler.class);
    /** Spread of each delay around the interval, so targets created together do not stay in lockstep. */
    private static final double JITTER = 0.1;

    /** Told about the outcome of polls; called on the timer thread. */
    interface Listener {

        /** A poll completed and this is what the target's health is now taken to be. */
        void polled(Target target, HealthReport report);

        /** Whether the target still belongs to a live HealthCheck; if not it is dropped. */
        boolean wanted(Target target);

        /** The first poll of the target completed without a verdict (one failure is none). */
        default void firstPollUndecided(Target target) {
        }
    }

    private enum Phase {
        SCHEDULED, QUEUED, IN_FLIGHT
    }

    /** One HealthCheck at one address. */
    static final class Target {

        final String uid;
        final PollTarget address;
        volatile ResourceID id;
        volatile boolean retired;
        /** The health taken from the polls so far; null until a poll decided it. */
        volatile HealthReport published;
        volatile Phase phase = Phase.SCHEDULED;
        volatile long dueAtNanos;
        volatile long startedAtNanos;
        /** When this address of the HealthCheck began to be polled. */
        final long watchedAtNanos = System.nanoTime();
        /** Written on the timer thread only; read by metrics scrapes too. */
        volatile int failures;
        boolean polled;
        ScheduledFuture<?> next;

        Target(String uid, ResourceID id, PollTarget address, int failures) {
            this.uid = uid;
            this.id = id;
            this.address = address;
            this.failures = failures;
        }
    }

    /**
     * Poll slots of one kind of target, and the targets waiting for one, in order; those the lane calls urgent go
     * before the others.
     */
    private static final class Lane {

        private final int slots;
        private final Predicate<Target> urgent;
        private final ArrayDeque<Target> waitingUrgent = new ArrayDeque<>();
        private final ArrayDeque<Target> waiting = new ArrayDeque<>();
        private int busy;

        Lane(int slots, Predicate<Target> urgent) {
            this.slots = slots;
            this.urgent = urgent;
        }

        boolean acquireOrWait(Target target) {
            if (busy < slots) {
                busy++;
                return true;
            }
            (urgent.test(target) ? waitingUrgent : waiting).add(target);
            return false;
        }

        /** Frees a slot, or hands it straight to the next live target waiting, which is returned. */
        Target releaseToNext() {
            busy--;
            if (busy >= slots) {
                // Over the limit with polls moved in from another lane: this slot is not free yet.
                return null;
            }
            Target next = nextLive(waitingUrgent);
            if (next == null) {
                next = nextLive(waiting);
            }
            if (next != null) {
                busy++;
            }
            return next;
        }

        private static Target nextLive(ArrayDeque<Target> queue) {
            Target next;
            while ((next = queue.poll()) != null) {
                if (!next.retired) {
                    return next;
                }
            }
            return null;
        }

        /** Takes on a poll already in flight, even beyond the limit: it only waits for its deadline. */
        void adopt() {
            busy++;
        }
    }

    /**
     * A snapshot for metrics and the operator's health checks. How late the most overdue poll is, apart for targets
     * that answered their last poll (or have not been polled yet) and targets that failed it: unreachable sidecars
     * queue behind each other for the slots of their lane by design, which says nothing about the reachable ones.
     * Apart from both, how far past its deadline the longest poll in flight is, in any lane: a deadline cancels its
     * poll, so anything beyond a moment is a fault, never a queue.
     */
    record Progress(int targets, int inFlight, Duration maxOverdueAnswering, Duration maxOverdueFailing,
            Duration maxOverrun, long lastCompletedEpochMillis, boolean stuck) {

        Duration maxOverdue() {
            return maxOverdueAnswering.compareTo(maxOverdueFailing) >= 0 ? maxOverdueAnswering : maxOverdueFailing;
        }
    }

    private final HealthPoller poller;
    private final OperatorConfig.Poll config;
    private final PollProgress progress;
    private final Listener listener;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private final Lane answering;
    private final Lane failing;
    private final Lane fresh;
    private final int failureThreshold;
    private ScheduledExecutorService timer;
    private volatile long lastCompletedNanos = System.nanoTime();
    private volatile long lastCompletedEpochMillis;

    PollScheduler(HealthPoller poller, Listener listener) {
        this.poller = poller;
        this.config = poller.config();
        this.progress = poller.progress();
        this.listener = listener;
        int slots = Math.max(1, config.concurrency());
        this.failureThreshold = Math.max(1, config.failureThreshold());
        this.answering = new Lane(slots, target -> false);
        // A sidecar whose verdict is pending (failed, not yet as often as the threshold) goes before those already
        // shown unreachable, which are polled to see them come back: behind a crowd of those, each of its polls
        // waited for all of them (at 10,000 HealthChecks, 1,000 unreachable: minutes a poll; BENCHMARKS.md), and
        // its status said Healthy meanwhile.
        this.failing = new Lane(slots, target -> target.failures < failureThreshold);
        this.fresh = new Lane(slots, target -> false);
    }

    synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "healthcheck-poll-scheduler");
            thread.setDaemon(true);
            return thread;
        });
        lastCompletedNanos = System.nanoTime();
        long sweepMillis = config.interval().toMillis();
        timer.scheduleWithFixedDelay(() -> guarded("sweep", this::sweep), sweepMillis, sweepMillis,
                TimeUnit.MILLISECONDS);
        progress.attach(this);
    }

    synchronized void stop() {
        progress.detach(this);
        if (timer != null) {
            timer.shutdownNow();
        }
        targets.values().forEach(target -> target.retired = true);
        targets.clear();
    }

    /**
     * Polls the HealthCheck with this UID at this address from now on. A new address replaces the old one, whose
     * answers are dropped from then on, and is polled at once.
     *
     * @param firstDelay when the first poll of a HealthCheck not watched so far is due
     * @param knownFailing the status already says the sidecars are unreachable: poll in the lane of failing
     *     targets, with backoff, until they answer
     */
    void watch(String uid, ResourceID id, PollTarget address, Duration firstDelay, boolean knownFailing) {
        Target[] replaced = new Target[1];
        Target current = targets.compute(uid, (key, existing) -> {
            if (existing != null && existing.address.equals(address)) {
                existing.id = id;
                return existing;
            }
            replaced[0] = existing;
            return new Target(uid, id, address, knownFailing ? failureThreshold : 0);
        });
        if (replaced[0] != null) {
            retire(replaced[0]);
            schedule(current, Duration.ZERO);
        } else if (current.next == null && current.dueAtNanos == 0) {
            schedule(current, firstDelay);
        }
    }

    void forget(String uid) {
        Target target = targets.remove(uid);
        if (target != null) {
            retire(target);
        }
    }

    /** The health the polls of this HealthCheck decided; empty until one did (after a start or a new address). */
    Optional<HealthReport> published(String uid) {
        Target target = targets.get(uid);
        return target == null ? Optional.empty() : Optional.ofNullable(target.published);
    }

    /**
     * How long the first poll of this HealthCheck (at its current address) may still take: empty once it completed,
     * or once the poll timeout since it began to be watched has passed, whatever the poll's fate.
     */
    Optional<Duration> firstPollPendingFor(String uid) {
        Target target = targets.get(uid);
        if (target == null || target.polled || target.published != null) {
            return Optional.empty();
        }
        long left = target.watchedAtNanos + config.timeout().toNanos() - System.nanoTime();
        return left > 0 ? Optional.of(Duration.ofNanos(left)) : Optional.empty();
    }

    int size() {
        return targets.size();
    }

    Progress progress() {
        long now = System.nanoTime();
        long timeoutNanos = config.timeout().toNanos();
        long maxOverdueAnswering = 0;
        long maxOverdueFailing = 0;
        long maxOverrun = 0;
        int inFlight = 0;
        for (Target target : targets.values()) {
            long overdue;
            if (target.phase == Phase.IN_FLIGHT) {
                inFlight++;
                overdue = now - (target.startedAtNanos + timeoutNanos);
                maxOverrun = Math.max(maxOverrun, overdue);
            } else {
                overdue = now - target.dueAtNanos;
            }
            // A snapshot may see a target in the lane it just left.
            if (target.failures > 0) {
                maxOverdueFailing = Math.max(maxOverdueFailing, overdue);
            } else {
                maxOverdueAnswering = Math.max(maxOverdueAnswering, overdue);
            }
        }
        // Overdue alone is no fault (a busy lane queues); overdue while nothing completes at all is.
        boolean stuck = Math.max(maxOverdueAnswering, maxOverdueFailing) > TimeUnit.SECONDS.toNanos(1)
                && now - lastCompletedNanos > config.stuckAfter().toNanos();
        return new Progress(targets.size(), inFlight, Duration.ofNanos(maxOverdueAnswering),
                Duration.ofNanos(maxOverdueFailing), Duration.ofNanos(maxOverrun), lastCompletedEpochMillis, stuck);
    }

    private void retire(Target target) {
        target.retired = true;
        ScheduledFuture<?> next = target.next;
        if (next != null) {
            next.cancel(false);
        }
    }

    private void schedule(Target target, Duration delay) {
        if (target.retired) {
            return;
        }
        target.phase = Phase.SCHEDULED;
        target.dueAtNanos = System.nanoTime() + delay.toNanos();
        target.next = timer.schedule(() -> guarded("poll", () -> due(target)), delay.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void due(Target target) {
        if (target.retired) {
            return;
        }
        target.phase = Phase.QUEUED;
        Lane lane = laneOf(target);
        if (lane.acquireOrWait(target)) {
            start(target, lane);
        }
    }

    private Lane laneOf(Target target) {
        if (target.failures > 0) {
            return failing;
        }
        return target.polled ? answering : fresh;
    }

    /** The lane whose slot a poll in flight holds; it moves when the poll is slow. */
    private static final class Slot {

        Lane lane;
        boolean done;
        ScheduledFuture<?> slowCheck;

        Slot(Lane lane) {
            this.lane = lane;
        }
    }

    private void start(Target target, Lane lane) {
        target.phase = Phase.IN_FLIGHT;
        long now = System.nanoTime();
        if (target.polled) {
            progress.round(Duration.ofNanos(now - target.startedAtNanos), target.failures == 0);
        }
        target.startedAtNanos = now;
        Slot slot = new Slot(lane);
        if (lane != failing) {
            // A sidecar that answered last time (or is new) and does not answer quickly now (a NetworkPolicy, a
            // node gone) would hold a slot of the reachable ones until its deadline: after a short while its poll
            // moves to the lane of failing targets and frees the slot.
            slot.slowCheck = timer.schedule(() -> guarded("slow poll", () -> moveIfSlow(slot)),
                    slowAfter().toMillis(), TimeUnit.MILLISECONDS);
        }
        CompletableFuture<PollResult> poll;
        try {
            poll = poller.poll(target.address);
        } catch (Throwable e) {
            // Whatever went wrong, the slot must come back and the target be planned again: through completed().
            progress.error();
            LOG.errorf(e, "Health poller: starting a poll of %s failed; polling goes on", target.address);
            poll = CompletableFuture.failedFuture(e);
        }
        // Completions come back to the timer thread: one thread owns the lanes and the targets' counters.
        poll.whenCompleteAsync((result, error) -> guarded("poll completion",
                () -> completed(target, slot, result, error)), timer);
    }

    /** A quarter of the deadline: far longer than a reachable sidecar takes, far shorter than an unreachable one. */
    private Duration slowAfter() {
        return config.timeout().dividedBy(4);
    }

    private void moveIfSlow(Slot slot) {
        if (slot.lane == failing || slot.done) {
            return;
        }
        Lane left = slot.lane;
        slot.lane = failing;
        failing.adopt();
        release(left);
    }

    private void release(Lane lane) {
        Target waiting = lane.releaseToNext();
        if (waiting != null) {
            start(waiting, lane);
        }
    }

    private void completed(Target target, Slot slot, PollResult result, Throwable error) {
        long now = System.nanoTime();
        lastCompletedNanos = now;
        lastCompletedEpochMillis = System.currentTimeMillis();
        slot.done = true;
        if (slot.slowCheck != null) {
            // Most polls answer long before: keep the timer's queue to the checks still due.
            slot.slowCheck.cancel(false);
        }
        release(slot.lane);
        PollResult outcome = result != null ? result
                : new PollResult(HealthReport.unknown(HealthReport.REASON_UNREACHABLE,
                        "polling failed: " + (error == null ? "no result" : error.getClass().getSimpleName())), false);
        progress.completed(outcome, Duration.ofNanos(now - target.startedAtNanos));
        if (target.retired) {
            return;
        }
        boolean first = !target.polled;
        target.polled = true;
        try {
            if (outcome.answered()) {
                target.failures = 0;
                target.published = outcome.report();
            } else {
                target.failures++;
                if (target.failures >= failureThreshold) {
                    target.published = outcome.report();
                }
            }
            HealthReport published = target.published;
            if (published != null) {
                listener.polled(target, published);
            } else if (first) {
                listener.firstPollUndecided(target);
            }
        } finally {
            schedule(target, nextDelay(target));
        }
    }

    private Duration nextDelay(Target target) {
        Duration interval = config.interval();
        Duration delay = interval;
        int beyondThreshold = target.failures - failureThreshold;
        if (beyondThreshold >= 0) {
            long factor = 1L << Math.min(beyondThreshold, 20);
            delay = interval.multipliedBy(factor);
            if (delay.compareTo(config.maxBackoff()) > 0) {
                delay = config.maxBackoff().compareTo(interval) > 0 ? config.maxBackoff() : interval;
            }
        }
        double spread = 1 - JITTER + 2 * JITTER * ThreadLocalRandom.current().nextDouble();
        return Duration.ofNanos((long) (delay.toNanos() * spread));
    }

    /** Drops targets whose HealthCheck is gone or was replaced, should a deletion have been missed. */
    private void sweep() {
        for (Target target : targets.values()) {
            if (!listener.wanted(target)) {
                targets.remove(target.uid, target);
                retire(target);
            }
        }
    }

    private void guarded(String step, Runnable work) {
        try {
            work.run();
        } catch (Throwable e) {
            progress.error();
            LOG.errorf(e, "Health poller: %s failed; polling goes on", step);
        }
    }
}
