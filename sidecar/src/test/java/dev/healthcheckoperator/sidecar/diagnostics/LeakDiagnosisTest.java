package dev.healthcheckoperator.sidecar.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthcheckoperator.sidecar.diagnostics.LeakDiagnosis.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** Each rule of /debug/diagnose on made-up series: the healthy shape, the leak shape, and too little data. */
class LeakDiagnosisTest {

    private static final long MIB = 1024 * 1024;

    private static List<ProcessSample> series(int count, IntFunction<ProcessSample> sample) {
        List<ProcessSample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            samples.add(sample.apply(i));
        }
        return samples;
    }

    private static ProcessSample sample(int i, int threads, long heapAfterGc, long gcCount, long gcTimeMs, long fds) {
        return new ProcessSample(i * 10_000L, threads, heapAfterGc, 512 * MIB, gcCount, gcTimeMs, fds, 1024);
    }

    @Test
    void threadLeakIsAWarning() {
        var leak = LeakDiagnosis.threadGrowth(series(10, i -> sample(i, 20 + 5 * i, 0, 0, 0, 10)));
        assertThat(leak.verdict()).isEqualTo(Verdict.warning);
        assertThat(leak.summary()).contains("threads grew from 20 to 65");
        assertThat(leak.evidence()).containsEntry("threadsFirst", 20).containsEntry("threadsLast", 65);

        var busyButStable = LeakDiagnosis.threadGrowth(series(10, i -> sample(i, 20 + (i % 2) * 30, 0, 0, 0, 10)));
        assertThat(busyButStable.verdict()).isEqualTo(Verdict.ok);
        var smallGrowth = LeakDiagnosis.threadGrowth(series(10, i -> sample(i, 40 + i / 3, 0, 0, 0, 10)));
        assertThat(smallGrowth.verdict()).isEqualTo(Verdict.ok);
        assertThat(LeakDiagnosis.threadGrowth(series(3, i -> sample(i, 20 + 50 * i, 0, 0, 0, 10))).verdict())
                .isEqualTo(Verdict.insufficientData);
    }

    @Test
    void heapThatKeepsGrowingAfterGcIsAWarning() {
        var leak = LeakDiagnosis.heapGrowthAfterGc(series(10, i -> sample(i, 20, (50 + 20L * i) * MIB, i, i, 10)));
        assertThat(leak.verdict()).isEqualTo(Verdict.warning);
        assertThat(leak.summary()).contains("heap after GC grew from 70 to 230 MiB");

        var sawTooth = LeakDiagnosis.heapGrowthAfterGc(series(10, i -> sample(i, 20, (50 + (i % 3) * 40L) * MIB, i, i, 10)));
        assertThat(sawTooth.verdict()).isEqualTo(Verdict.ok);
        var noGc = LeakDiagnosis.heapGrowthAfterGc(series(10, i -> sample(i, 20, (50 + 20L * i) * MIB, 0, 0, 10)));
        assertThat(noGc.verdict()).isEqualTo(Verdict.insufficientData);
    }

    @Test
    void gcOverheadThresholds() {
        // 10 s between samples: 500 ms of GC each is 5 %, 1500 ms is 15 %, 3000 ms is 30 %.
        assertThat(LeakDiagnosis.gcOverhead(series(5, i -> sample(i, 20, 0, i, 500L * i, 10))).verdict())
                .isEqualTo(Verdict.ok);
        assertThat(LeakDiagnosis.gcOverhead(series(5, i -> sample(i, 20, 0, i, 1500L * i, 10))).verdict())
                .isEqualTo(Verdict.warning);
        var critical = LeakDiagnosis.gcOverhead(series(5, i -> sample(i, 20, 0, i, 3000L * i, 10)));
        assertThat(critical.verdict()).isEqualTo(Verdict.critical);
        assertThat(critical.summary()).isEqualTo("30.0% of the time in GC");
        assertThat(LeakDiagnosis.gcOverhead(series(1, i -> sample(i, 20, 0, 0, 0, 10))).verdict())
                .isEqualTo(Verdict.insufficientData);
    }

    @Test
    void fileDescriptorExhaustion() {
        assertThat(LeakDiagnosis.fileDescriptors(series(1, i -> sample(i, 20, 0, 0, 0, 100))).verdict())
                .isEqualTo(Verdict.ok);
        assertThat(LeakDiagnosis.fileDescriptors(series(1, i -> sample(i, 20, 0, 0, 0, 900))).verdict())
                .isEqualTo(Verdict.warning);
        var critical = LeakDiagnosis.fileDescriptors(series(1, i -> sample(i, 20, 0, 0, 0, 1000)));
        assertThat(critical.verdict()).isEqualTo(Verdict.critical);
        assertThat(critical.summary()).isEqualTo("1000 of 1024 file descriptors open");
    }

    @Test
    void overallVerdictIsTheWorst() {
        List<ProcessSample> healthy = series(6, i -> sample(i, 20, 50 * MIB, i, i, 10));
        assertThat(LeakDiagnosis.worst(LeakDiagnosis.diagnose(healthy, List.of()))).isEqualTo(Verdict.ok);
        List<ProcessSample> fdsNearlyGone = series(6, i -> sample(i, 20, 50 * MIB, i, i, 1000));
        assertThat(LeakDiagnosis.worst(LeakDiagnosis.diagnose(fdsNearlyGone, List.of()))).isEqualTo(Verdict.critical);
    }
}
