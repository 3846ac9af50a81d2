package dev.healthcheckoperator.sidecar.diagnostics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the JVM's MXBeans do not say directly: resident memory and file descriptors, from /proc where needed. */
final class ProcessStats {

    /** Unknown values are -1. */
    record FileDescriptors(long open, long max) {
    }

    private ProcessStats() {
    }

    static FileDescriptors fileDescriptors() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return new FileDescriptors(unix.getOpenFileDescriptorCount(), unix.getMaxFileDescriptorCount());
        }
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return new FileDescriptors(entries.count(), -1);
        } catch (IOException | UnsupportedOperationException e) {
            return new FileDescriptors(-1, -1);
        }
    }

    /** Resident set size in bytes (VmRSS), or -1 off Linux. */
    static long residentSetBytes() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
            for (String line : lines) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static boolean nativeImage() {
        return System.getProperty("org.graalvm.nativeimage.imagecode") != null;
    }
}
