package dev.healthcheckoperator.sidecar.diagnostics;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Finds threads deadlocked on monitors or on java.util.concurrent locks. */
public final class DeadlockDetector {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private DeadlockDetector() {
    }

    /** The deadlocked threads' infos (with lock details), empty when none or when the runtime cannot tell. */
    public static List<ThreadInfo> deadlockedThreads() {
        long[] ids;
        try {
            ids = THREADS.findDeadlockedThreads();
        } catch (UnsupportedOperationException e) {
            return List.of();
        }
        if (ids == null) {
            return List.of();
        }
        return Arrays.stream(THREADS.getThreadInfo(ids, true, true)).filter(Objects::nonNull).toList();
    }
}
