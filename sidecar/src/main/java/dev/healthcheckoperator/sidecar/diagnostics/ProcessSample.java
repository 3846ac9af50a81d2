package dev.healthcheckoperator.sidecar.diagnostics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/** One reading of the numbers the leak checks follow over time. Unknown values are -1. */
record ProcessSample(
        long timeMillis,
        int threads,
        long heapAfterGcBytes,
        long heapMaxBytes,
        long gcCount,
        long gcTimeMillis,
        long openFileDescriptors,
        long maxFileDescriptors) {

    static ProcessSample now() {
        long afterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage usage = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
            if (usage != null) {
                afterGc += usage.getUsed();
            }
        }
        long gcCount = 0;
        long gcTime = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcTime += Math.max(0, gc.getCollectionTime());
        }
        ProcessStats.FileDescriptors fds = ProcessStats.fileDescriptors();
        return new ProcessSample(System.currentTimeMillis(), ManagementFactory.getThreadMXBean().getThreadCount(),
                afterGc, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax(), gcCount, gcTime,
                fds.open(), fds.max());
    }
}
