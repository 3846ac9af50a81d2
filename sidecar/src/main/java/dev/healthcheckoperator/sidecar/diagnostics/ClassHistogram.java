package dev.healthcheckoperator.sidecar.diagnostics;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * {@code GET /debug/heap/histogram}: the live-object class histogram ({@code jcmd GC.class_histogram}),
 * taken through HotSpot's DiagnosticCommand MBean. It runs a full GC first, as jmap -histo:live does, so
 * one runs at a time and a histogram a few seconds old is served again instead of taking another.
 */
final class ClassHistogram {

    /** A histogram younger than this is reused: a refreshing dashboard or a retrying client costs no full GC. */
    static final long REUSE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private record Taken(long atNanos, Instant at, String text) {
    }

    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Taken last;

    /** Blocking. Throws {@link BusyException} while another request is taking one. */
    Map<String, Object> top(int limit) {
        Taken taken = last;
        if (taken == null || System.nanoTime() - taken.atNanos() >= REUSE_NANOS) {
            if (!running.compareAndSet(false, true)) {
                throw new BusyException("a class histogram is already being taken; try again in a few seconds");
            }
            try {
                String text = take();
                taken = new Taken(System.nanoTime(), Instant.now(), text);
                last = taken;
            } finally {
                running.set(false);
            }
        }
        Map<String, Object> body = parse(taken.text(), limit);
        body.put("takenAt", taken.at().toString());
        return body;
    }

    /** The runtime has no DiagnosticCommand MBean (a native image): the endpoint answers 501. */
    static final class UnsupportedRuntimeException extends RuntimeException {
        UnsupportedRuntimeException(String message) {
            super(message);
        }
    }

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)(?:\\s+\\((.*)\\))?\\s*$");

    private static String take() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (InstanceNotFoundException e) {
            throw new UnsupportedRuntimeException("this runtime (" + runtimeName() + ") has no DiagnosticCommand MBean, "
                    + "so no class histogram; use /debug/heapdump and a heap analyser instead");
        } catch (JMException e) {
            throw new IllegalStateException("class histogram failed: " + e.getMessage(), e);
        }
    }

    static Map<String, Object> parse(String text, int limit) {
        List<Map<String, Object>> rows = new ArrayList<>();
        long instances = 0;
        long bytes = 0;
        int classes = 0;
        for (String line : text.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            classes++;
            long rowInstances = Long.parseLong(m.group(1));
            long rowBytes = Long.parseLong(m.group(2));
            instances += rowInstances;
            bytes += rowBytes;
            if (rows.size() < limit) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("rank", rows.size() + 1);
                row.put("className", m.group(3));
                row.put("instances", rowInstances);
                row.put("bytes", rowBytes);
                row.put("module", m.group(4));
                rows.add(row);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("classes", classes);
        body.put("totalInstances", instances);
        body.put("totalBytes", bytes);
        body.put("top", rows);
        return body;
    }

    private static String runtimeName() {
        return ProcessStats.nativeImage() ? "a native image" : System.getProperty("java.vm.name");
    }
}
