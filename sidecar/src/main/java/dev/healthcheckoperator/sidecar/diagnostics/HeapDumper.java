package dev.healthcheckoperator.sidecar.diagnostics;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes HPROF heap dumps, one at a time, only where the disk can hold them. The caller streams the
 * file and must call {@link Dump#close()} (which deletes it) however the transfer ends.
 */
final class HeapDumper {

    static final class BusyException extends RuntimeException {
        BusyException() {
            super("a heap dump is already being taken; try again when it has finished");
        }
    }

    static final class InsufficientSpaceException extends RuntimeException {
        InsufficientSpaceException(String message) {
            super(message);
        }
    }

    private static final long MIB = 1024 * 1024;

    private final Path directory;
    private final long reserveBytes;
    private final AtomicBoolean running = new AtomicBoolean();

    HeapDumper(Path directory, long reserveBytes) {
        this.directory = directory;
        this.reserveBytes = reserveBytes;
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
            throw new BusyException();
        }
        Dump dump = null;
        try {
            Files.createDirectories(directory);
            long heapUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long free = Files.getFileStore(directory).getUsableSpace();
            // An HPROF file is about the size of the used heap; keep a reserve so the pod's disk is not filled.
            if (free < heapUsed + reserveBytes) {
                throw new InsufficientSpaceException("not enough disk for a heap dump in " + directory + ": needs about "
                        + (heapUsed / MIB) + " MiB plus a reserve of " + (reserveBytes / MIB) + " MiB, "
                        + (free / MIB) + " MiB free");
            }
            dump = new Dump(Files.createTempDirectory(directory, "heapdump-"));
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpHeap(dump.file.toString(), liveObjectsOnly);
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
}
