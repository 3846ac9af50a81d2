package dev.healthcheckoperator.sidecar.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeapDumperTest {

    @TempDir
    Path dir;

    @Test
    void aReserveTheDiskCannotHoldIsRefusedBeforeWriting() throws Exception {
        HeapDumper dumper = new HeapDumper(dir, 1L << 60, OptionalLong.empty());
        for (int attempt = 0; attempt < 2; attempt++) { // the slot is released after a refusal
            assertThatThrownBy(() -> dumper.write(true)).isInstanceOf(HeapDumper.InsufficientSpaceException.class)
                    .hasMessageContaining("not enough disk for a heap dump").hasMessageContaining("MiB free");
        }
        assertThat(entries(dir)).isZero();
    }

    @Test
    void whatIsAlreadyOnTheVolumeCountsAgainstItsLimit() throws Exception {
        Files.write(dir.resolve("other-file"), new byte[1024 * 1024]);
        HeapDumper dumper = new HeapDumper(dir, 0, OptionalLong.of(1024 * 1024));
        assertThatThrownBy(() -> dumper.write(true)).isInstanceOf(HeapDumper.InsufficientSpaceException.class)
                .hasMessageContaining("not enough volume (limit 1 MiB)").hasMessageContaining(", 0 MiB free");
        assertThat(entries(dir)).isEqualTo(1);
    }

    @Test
    void leftoversOfAnEarlierRunAreRemovedAndNothingElse() throws Exception {
        Path leftover = Files.createDirectories(dir.resolve("heapdump-42"));
        Files.write(leftover.resolve("heap.hprof"), new byte[4096]);
        Path unrelated = Files.writeString(dir.resolve("keep.txt"), "not a dump");
        HeapDumper dumper = new HeapDumper(dir, 0, OptionalLong.empty());
        assertThat(dumper.removeLeftovers()).isEqualTo(1);
        assertThat(leftover).doesNotExist();
        assertThat(unrelated).exists();
        assertThat(new HeapDumper(dir.resolve("absent"), 0, OptionalLong.empty()).removeLeftovers()).isZero();
    }

    private static long entries(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
