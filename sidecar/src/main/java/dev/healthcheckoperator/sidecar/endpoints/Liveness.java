package dev.healthcheckoperator.sidecar.endpoints;

import dev.healthcheckoperator.sidecar.checks.CheckEngine;
import dev.healthcheckoperator.sidecar.config.SidecarConfig;
import dev.healthcheckoperator.sidecar.diagnostics.DeadlockDetector;
import jakarta.inject.Singleton;
import java.lang.management.ThreadInfo;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Is the sidecar process itself alive: no deadlocked threads and a check scheduler that still runs. Upstream
 * health never enters it (a failing upstream must not get the sidecar restarted).
 */
@Singleton
class Liveness {

    /** The deadlock search brings the JVM to a safepoint: a kubelet or a load test asking often must not pay it each time. */
    static final long DEADLOCK_SEARCH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    record Verdict(String reason, List<String> names) {
        static final Verdict UP = new Verdict(null, List.of());

        boolean up() {
            return reason == null;
        }
    }

    private record DeadlockSearch(long atNanos, List<String> threads) {
    }

    private final CheckEngine engine;
    private final int stalledPeriods;
    private volatile DeadlockSearch lastSearch;

    Liveness(CheckEngine engine, SidecarConfig config) {
        this.engine = engine;
        this.stalledPeriods = config.liveness().stalledPeriods();
        // One period late is a slow probe, not a stall; fewer would restart a healthy sidecar.
        if (stalledPeriods < 2) {
            throw new IllegalArgumentException("sidecar.liveness.stalled-periods (SIDECAR_LIVENESS_STALLED_PERIODS) "
                    + "must be at least 2, got " + stalledPeriods);
        }
    }

    Verdict verdict() {
        List<String> deadlocked = deadlockedThreads();
        if (!deadlocked.isEmpty()) {
            return new Verdict("Deadlock", deadlocked);
        }
        List<String> stalled = engine.stalledChecks(stalledPeriods);
        if (!stalled.isEmpty()) {
            return new Verdict("SchedulerStalled", stalled);
        }
        return Verdict.UP;
    }

    private List<String> deadlockedThreads() {
        long now = System.nanoTime();
        DeadlockSearch search = lastSearch;
        if (search == null || now - search.atNanos() >= DEADLOCK_SEARCH_INTERVAL_NANOS) {
            // Racing requests may both search once; that is still bounded by the number of event loops.
            search = new DeadlockSearch(now,
                    DeadlockDetector.deadlockedThreads().stream().map(ThreadInfo::getThreadName).toList());
            lastSearch = search;
        }
        return search.threads();
    }
}
