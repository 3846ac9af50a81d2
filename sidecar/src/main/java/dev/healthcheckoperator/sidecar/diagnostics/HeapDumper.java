package dev.healthcheckoperator.sidecar.diagnostics;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Writes HPROF heap dumps, one at a time, only where the disk can hold them. The caller streams the
 * file and must call {@link Dump#close()} (which deletes it) however the transfer ends.
 */
final class HeapDumper {

    static final class InsufficientSpaceException extends RuntimeException {
        InsufficientSpaceException(String message) {
            super(message);
        }
    }

    private static final long MIB = 1024 * 1024;
    private static final String DUMP_DIR_PREFIX = "heapdump-";

    private final Path directory;
    private final long reserveBytes;
    private final OptionalLong volumeLimitBytes;
    private final AtomicBoolean running = new AtomicBoolean();

    /**
     * @param volumeLimitBytes the size limit of the volume {@code directory} is on, when it has one the
     *        filesystem does not report (an emptyDir's sizeLimit is enforced by eviction, not by the disk)
     */
    HeapDumper(Path directory, long reserveBytes, OptionalLong volumeLimitBytes) {
        this.directory = directory;
        this.reserveBytes = reserveBytes;
        this.volumeLimitBytes = volumeLimitBytes;
    }

    /**
     * Removes dumps a previous run left behind (it was killed mid-transfer): they would hold the volume's
     * space until the pod goes, and the pod's volume survives container restarts.
     */
    int removeLeftovers() throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(directory, DUMP_DIR_PREFIX + "*")) {
            for (Path leftover : leftovers) {
                try (Stream<Path> files = Files.walk(leftover)) {
                    for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                removed++;
            }
        }
        if (removed > 0) {
            Log.infof("removed %d heap dump(s) left in %s by an earlier run", removed, directory);
        }
        return removed;
    }

    /** A written dump; closing it deletes the file and frees the one-at-a-time slot. */
    final class Dump implements AutoCloseable {
        private final Path dir;
        final Path file;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Dump(Path dir) {
            this.dir = dir;
            this.file = dir.resolve("heap.hprof");
        }

        /** Set once the dump is written. */
        long sizeBytes;

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                try {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // Nothing more to do: the directory lives under the dump dir, an emptyDir in the pod.
                } finally {
                    running.set(false);
                }
            }
        }
    }

    /** Blocking: takes the dump. Throws {@link BusyException} or {@link InsufficientSpaceException} before writing. */
    Dump write(boolean liveObjectsOnly) throws IOException {
        if (!running.compareAndSet(false, true)) {
            throw new BusyException("a heap dump is already being taken; try again when it has finished");
        }
        Dump dump = null;
        try {
            Files.createDirectories(directory);
            long heapUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long free = Files.getFileStore(directory).getUsableSpace();
            String where = "disk";
            if (volumeLimitBytes.isPresent()) {
                long volumeFree = volumeLimitBytes.getAsLong() - bytesUnder(directory);
                if (volumeFree < free) {
                    free = Math.max(0, volumeFree);
                    where = "volume (limit " + (volumeLimitBytes.getAsLong() / MIB) + " MiB)";
                }
            }
            // An HPROF file is about the size of the used heap; keep a reserve so the pod's disk is not filled.
            if (free < heapUsed + reserveBytes) {
                throw new InsufficientSpaceException("not enough " + where + " for a heap dump in " + directory
                        + ": needs about " + (heapUsed / MIB) + " MiB plus a reserve of " + (reserveBytes / MIB)
                        + " MiB, " + (free / MIB) + " MiB free");
            }
            dump = new Dump(Files.createTempDirectory(directory, DUMP_DIR_PREFIX));
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpHeap(dump.file.toString(), liveObjectsOnly);
            dump.sizeBytes = Files.size(dump.file);
            return dump;
        } catch (IOException | RuntimeException e) {
            if (dump != null) {
                dump.close();
            } else {
                running.set(false);
            }
            throw e;
        }
    }

    private static long bytesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(file);
            }
            return total;
        }
    }
}
