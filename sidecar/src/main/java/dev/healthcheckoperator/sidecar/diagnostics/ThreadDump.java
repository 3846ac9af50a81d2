package dev.healthcheckoperator.sidecar.diagnostics;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code GET /debug/threads}: every thread with its full stack and locks, deadlocked threads first. */
final class ThreadDump {

    private ThreadDump() {
    }

    record Dump(List<ThreadInfo> deadlocked, List<ThreadInfo> others) {
    }

    static Dump take() {
        List<ThreadInfo> deadlocked = DeadlockDetector.deadlockedThreads();
        Set<Long> deadlockedIds = deadlocked.stream().map(ThreadInfo::getThreadId).collect(Collectors.toSet());
        List<ThreadInfo> others = Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(true, true))
                .filter(info -> !deadlockedIds.contains(info.getThreadId()))
                .toList();
        return new Dump(deadlocked, others);
    }

    /** A jstack-like text: the full stack (ThreadInfo.toString stops at eight frames). */
    static String text(Dump dump) {
        StringBuilder out = new StringBuilder();
        if (!dump.deadlocked().isEmpty()) {
            out.append("DEADLOCK: ").append(dump.deadlocked().size()).append(" threads are deadlocked\n\n");
            dump.deadlocked().forEach(info -> appendThread(out, info));
        }
        out.append("Threads (").append(dump.deadlocked().size() + dump.others().size()).append("):\n\n");
        dump.others().forEach(info -> appendThread(out, info));
        return out.toString();
    }

    private static void appendThread(StringBuilder out, ThreadInfo info) {
        out.append('"').append(info.getThreadName()).append("\" #").append(info.getThreadId())
                .append(info.isDaemon() ? " daemon" : "").append(" prio=").append(info.getPriority())
                .append(' ').append(info.getThreadState());
        if (info.getLockName() != null) {
            out.append(" on ").append(info.getLockName());
        }
        if (info.getLockOwnerName() != null) {
            out.append(" owned by \"").append(info.getLockOwnerName()).append("\" #").append(info.getLockOwnerId());
        }
        out.append('\n');
        StackTraceElement[] stack = info.getStackTrace();
        for (int depth = 0; depth < stack.length; depth++) {
            out.append("\tat ").append(stack[depth]).append('\n');
            for (MonitorInfo monitor : info.getLockedMonitors()) {
                if (monitor.getLockedStackDepth() == depth) {
                    out.append("\t- locked ").append(monitor).append('\n');
                }
            }
        }
        LockInfo[] synchronizers = info.getLockedSynchronizers();
        if (synchronizers.length > 0) {
            out.append("\tLocked ownable synchronizers:\n");
            for (LockInfo lock : synchronizers) {
                out.append("\t- ").append(lock).append('\n');
            }
        }
        out.append('\n');
    }

    static Map<String, Object> json(Dump dump) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deadlocked", dump.deadlocked().stream().map(ThreadDump::threadJson).toList());
        body.put("threads", dump.others().stream().map(ThreadDump::threadJson).toList());
        return body;
    }

    private static Map<String, Object> threadJson(ThreadInfo info) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", info.getThreadName());
        map.put("id", info.getThreadId());
        map.put("state", info.getThreadState().name());
        map.put("daemon", info.isDaemon());
        map.put("lock", info.getLockName());
        map.put("lockOwner", info.getLockOwnerName());
        map.put("lockedMonitors", Arrays.stream(info.getLockedMonitors()).map(Object::toString).toList());
        map.put("lockedSynchronizers", Arrays.stream(info.getLockedSynchronizers()).map(Object::toString).toList());
        map.put("stack", Arrays.stream(info.getStackTrace()).map(StackTraceElement::toString).toList());
        return map;
    }
}
