package dev.healthcheckoperator.sidecar.diagnostics;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /debug/diagnose}: the production pitfalls a Go service finds with pprof (deadlocks,
 * goroutine leaks, heap leaks, GC pressure, descriptor exhaustion), judged on this process from a window
 * of samples. A pure function of its inputs, so each rule is tested on made-up series.
 */
final class LeakDiagnosis {

    enum Verdict {
        ok, insufficientData, warning, critical
    }

    @RegisterForReflection
    record Finding(String check, Verdict verdict, String summary, Map<String, Object> evidence) {
    }

    static final int MIN_SAMPLES = 5;
    static final int MIN_THREAD_GROWTH = 10;
    static final double THREAD_GROWTH_RATIO = 0.25;
    static final double HEAP_GROWTH_OF_MAX = 0.10;
    static final int MIN_GCS = 3;
    static final double GC_WARNING = 0.10;
    static final double GC_CRITICAL = 0.25;
    static final double FD_WARNING = 0.80;
    static final double FD_CRITICAL = 0.95;

    private LeakDiagnosis() {
    }

    static List<Finding> diagnose(List<ProcessSample> samples, List<ThreadInfo> deadlocked) {
        List<Finding> findings = new ArrayList<>();
        findings.add(deadlocks(deadlocked));
        findings.add(threadGrowth(samples));
        findings.add(heapGrowthAfterGc(samples));
        findings.add(gcOverhead(samples));
        findings.add(fileDescriptors(samples));
        return findings;
    }

    static Verdict worst(List<Finding> findings) {
        Verdict worst = Verdict.ok;
        for (Finding f : findings) {
            if (f.verdict() == Verdict.warning && worst != Verdict.critical || f.verdict() == Verdict.critical) {
                worst = f.verdict();
            }
        }
        return worst;
    }

    static Finding deadlocks(List<ThreadInfo> deadlocked) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("threads", deadlocked.stream().map(t -> t.getThreadName() + " waits for " + t.getLockName()
                + " held by " + t.getLockOwnerName()).toList());
        return deadlocked.isEmpty()
                ? new Finding("deadlock", Verdict.ok, "no deadlocked threads", evidence)
                : new Finding("deadlock", Verdict.critical, deadlocked.size()
                        + " threads are deadlocked; /health/live fails so the kubelet restarts the sidecar", evidence);
    }

    /** The JVM's goroutine leak: the thread count only ever rises across the window, and by a lot. */
    static Finding threadGrowth(List<ProcessSample> samples) {
        if (samples.size() < MIN_SAMPLES) {
            return notEnough("threadGrowth", samples.size());
        }
        int first = samples.get(0).threads();
        int last = samples.get(samples.size() - 1).threads();
        boolean neverFell = true;
        for (int i = 1; i < samples.size(); i++) {
            neverFell &= samples.get(i).threads() >= samples.get(i - 1).threads();
        }
        int growth = last - first;
        Map<String, Object> evidence = window(samples);
        evidence.put("threadsFirst", first);
        evidence.put("threadsLast", last);
        evidence.put("neverFell", neverFell);
        if (neverFell && growth >= MIN_THREAD_GROWTH && growth >= first * THREAD_GROWTH_RATIO) {
            return new Finding("threadGrowth", Verdict.warning, "threads grew from " + first + " to " + last
                    + " and never fell: a thread leak? see /debug/threads", evidence);
        }
        return new Finding("threadGrowth", Verdict.ok, "thread count stable (" + first + " -> " + last + ")", evidence);
    }

    /** A heap leak: what survives each GC keeps rising. */
    static Finding heapGrowthAfterGc(List<ProcessSample> samples) {
        List<ProcessSample> afterGc = new ArrayList<>();
        for (int i = 1; i < samples.size(); i++) {
            if (samples.get(i).gcCount() > samples.get(i - 1).gcCount()) {
                afterGc.add(samples.get(i));
            }
        }
        if (afterGc.size() < MIN_GCS) {
            Finding finding = notEnough("heapGrowthAfterGc", samples.size());
            finding.evidence().put("samplesWithGc", afterGc.size());
            return finding;
        }
        long first = afterGc.get(0).heapAfterGcBytes();
        long last = afterGc.get(afterGc.size() - 1).heapAfterGcBytes();
        boolean neverFell = true;
        for (int i = 1; i < afterGc.size(); i++) {
            neverFell &= afterGc.get(i).heapAfterGcBytes() >= afterGc.get(i - 1).heapAfterGcBytes();
        }
        long max = afterGc.get(afterGc.size() - 1).heapMaxBytes();
        long base = max > 0 ? max : Math.max(first, 1);
        Map<String, Object> evidence = window(samples);
        evidence.put("samplesWithGc", afterGc.size());
        evidence.put("heapAfterGcFirstBytes", first);
        evidence.put("heapAfterGcLastBytes", last);
        evidence.put("heapMaxBytes", max);
        evidence.put("neverFell", neverFell);
        if (neverFell && last - first >= base * HEAP_GROWTH_OF_MAX) {
            return new Finding("heapGrowthAfterGc", Verdict.warning, "heap after GC grew from " + mib(first) + " to "
                    + mib(last) + " MiB and never fell: a leak? see /debug/heap/histogram", evidence);
        }
        return new Finding("heapGrowthAfterGc", Verdict.ok, "heap after GC is not growing steadily", evidence);
    }

    /** Share of wall time spent in GC across the window. */
    static Finding gcOverhead(List<ProcessSample> samples) {
        if (samples.size() < 2) {
            return notEnough("gcOverhead", samples.size());
        }
        ProcessSample first = samples.get(0);
        ProcessSample last = samples.get(samples.size() - 1);
        long wall = last.timeMillis() - first.timeMillis();
        if (wall <= 0) {
            return notEnough("gcOverhead", samples.size());
        }
        double share = (double) (last.gcTimeMillis() - first.gcTimeMillis()) / wall;
        Map<String, Object> evidence = window(samples);
        evidence.put("gcTimeMs", last.gcTimeMillis() - first.gcTimeMillis());
        evidence.put("gcCount", last.gcCount() - first.gcCount());
        evidence.put("gcShare", Math.round(share * 1000) / 1000.0);
        String summary = String.format("%.1f%% of the time in GC", share * 100);
        Verdict verdict = share >= GC_CRITICAL ? Verdict.critical : share >= GC_WARNING ? Verdict.warning : Verdict.ok;
        return new Finding("gcOverhead", verdict, summary, evidence);
    }

    static Finding fileDescriptors(List<ProcessSample> samples) {
        if (samples.isEmpty() || samples.get(samples.size() - 1).maxFileDescriptors() <= 0) {
            return notEnough("fileDescriptors", samples.size());
        }
        ProcessSample last = samples.get(samples.size() - 1);
        double used = (double) last.openFileDescriptors() / last.maxFileDescriptors();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("open", last.openFileDescriptors());
        evidence.put("max", last.maxFileDescriptors());
        String summary = last.openFileDescriptors() + " of " + last.maxFileDescriptors() + " file descriptors open";
        Verdict verdict = used >= FD_CRITICAL ? Verdict.critical : used >= FD_WARNING ? Verdict.warning : Verdict.ok;
        return new Finding("fileDescriptors", verdict, summary, evidence);
    }

    private static Finding notEnough(String check, int samples) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("samples", samples);
        return new Finding(check, Verdict.insufficientData, "not enough samples yet", evidence);
    }

    private static Map<String, Object> window(List<ProcessSample> samples) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("samples", samples.size());
        evidence.put("windowSeconds",
                (samples.get(samples.size() - 1).timeMillis() - samples.get(0).timeMillis()) / 1000);
        return evidence;
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }
}
