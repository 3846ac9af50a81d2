package dev.healthcheckoperator.sidecar.diagnostics;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /debug/heap}: memory, GC, threads, classes, buffers, descriptors and RSS in one JSON document. */
final class HeapSummary {

    private HeapSummary() {
    }

    static Map<String, Object> collect() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("heap", usage(memory.getHeapMemoryUsage()));
        body.put("nonHeap", usage(memory.getNonHeapMemoryUsage()));
        body.put("pools", ManagementFactory.getMemoryPoolMXBeans().stream().map(HeapSummary::pool).toList());
        body.put("gc", ManagementFactory.getGarbageCollectorMXBeans().stream().map(HeapSummary::collector).toList());

        Map<String, Object> threadStats = new LinkedHashMap<>();
        threadStats.put("live", threads.getThreadCount());
        threadStats.put("daemon", threads.getDaemonThreadCount());
        threadStats.put("peak", threads.getPeakThreadCount());
        threadStats.put("totalStarted", threads.getTotalStartedThreadCount());
        threadStats.put("deadlocked", DeadlockDetector.deadlockedThreads().size());
        body.put("threads", threadStats);

        Map<String, Object> classStats = new LinkedHashMap<>();
        classStats.put("loaded", classes.getLoadedClassCount());
        classStats.put("totalLoaded", classes.getTotalLoadedClassCount());
        classStats.put("unloaded", classes.getUnloadedClassCount());
        body.put("classes", classStats);

        body.put("bufferPools", ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .map(HeapSummary::bufferPool).toList());

        ProcessStats.FileDescriptors fds = ProcessStats.fileDescriptors();
        Map<String, Object> fdStats = new LinkedHashMap<>();
        fdStats.put("open", fds.open());
        fdStats.put("max", fds.max());
        body.put("fileDescriptors", fdStats);

        Map<String, Object> process = new LinkedHashMap<>();
        process.put("pid", ProcessHandle.current().pid());
        process.put("rssBytes", ProcessStats.residentSetBytes());
        process.put("uptimeMs", runtime.getUptime());
        process.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        process.put("vm", runtime.getVmName() + " " + runtime.getVmVersion());
        process.put("nativeImage", ProcessStats.nativeImage());
        body.put("process", process);
        return body;
    }

    private static Map<String, Object> usage(MemoryUsage usage) {
        Map<String, Object> map = new LinkedHashMap<>();
        if (usage == null) {
            return map;
        }
        map.put("usedBytes", usage.getUsed());
        map.put("committedBytes", usage.getCommitted());
        map.put("maxBytes", usage.getMax());
        return map;
    }

    private static Map<String, Object> pool(MemoryPoolMXBean pool) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", pool.getName());
        map.put("type", pool.getType().name());
        map.putAll(usage(pool.getUsage()));
        MemoryUsage afterGc = pool.getCollectionUsage();
        map.put("usedAfterLastGcBytes", afterGc == null ? null : afterGc.getUsed());
        return map;
    }

    private static Map<String, Object> collector(GarbageCollectorMXBean gc) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", gc.getName());
        map.put("count", gc.getCollectionCount());
        map.put("timeMs", gc.getCollectionTime());
        return map;
    }

    private static Map<String, Object> bufferPool(BufferPoolMXBean pool) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", pool.getName());
        map.put("count", pool.getCount());
        map.put("usedBytes", pool.getMemoryUsed());
        map.put("capacityBytes", pool.getTotalCapacity());
        return map;
    }
}
