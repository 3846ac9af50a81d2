package dev.healthcheckoperator.sidecar.checks.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A check's {@code flapDetection} in the checks file: defaults, and each bad value refused naming its field. */
class FlapDetectionLoaderTest {

    @TempDir
    Path dir;

    private List<Check> load(String checksYaml) throws IOException {
        return ChecksFileLoader.load(Files.writeString(dir.resolve("checks.yaml"), "checks:\n" + checksYaml));
    }

    @Test
    void leftOutItIsOnWithTheDefaultsAndEachFieldCanBeSet() throws IOException {
        List<Check> checks = load("""
                  - {name: plain, tcpSocket: {host: h, port: 1}}
                  - {name: tuned, tcpSocket: {host: h, port: 1}, flapDetection: {window: 10, maxTransitions: 2}}
                  - {name: partial, tcpSocket: {host: h, port: 1}, flapDetection: {maxTransitions: 7}}
                  - {name: off, tcpSocket: {host: h, port: 1}, flapDetection: {enabled: false}}
                """);
        assertThat(checks).extracting(Check::flapLimits).containsExactly(
                new FlapLimits(true, 20, 4),
                new FlapLimits(true, 10, 2),
                new FlapLimits(true, 20, 7),
                new FlapLimits(false, 20, 4));
    }

    @Test
    void theLimitsAtTheirBoundsAreAccepted() throws IOException {
        List<Check> checks = load("""
                  - {name: smallest, tcpSocket: {host: h, port: 1}, flapDetection: {window: 2, maxTransitions: 1}}
                  - {name: largest, tcpSocket: {host: h, port: 1}, flapDetection: {window: 100, maxTransitions: 99}}
                """);
        assertThat(checks).extracting(Check::flapLimits)
                .containsExactly(new FlapLimits(true, 2, 1), new FlapLimits(true, 100, 99));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            flapDetection: {window: 1}                        | checks[0].flapDetection.window: must be between 2 and 100, got 1
            flapDetection: {window: 101}                      | checks[0].flapDetection.window: must be between 2 and 100, got 101
            flapDetection: {maxTransitions: 0}                | checks[0].flapDetection.maxTransitions: must be between 1 and window - 1 (19), got 0
            flapDetection: {window: 5, maxTransitions: 5}     | checks[0].flapDetection.maxTransitions: must be between 1 and window - 1 (4), got 5
            flapDetection: {maxTransitions: 20}               | checks[0].flapDetection.maxTransitions: must be between 1 and window - 1 (19), got 20
            flapDetection: {enabled: false, window: 0}        | checks[0].flapDetection.window: must be between 2 and 100, got 0
            flapDetection: {window: '10'}                     | checks[0].flapDetection.window:
            flapDetection: {window: 2.5}                      | checks[0].flapDetection.window:
            flapDetection: {enabled: 'yes'}                   | checks[0].flapDetection.enabled:
            flapDetection: 4                                  | checks[0].flapDetection:
            """)
    void eachBadValueIsRefusedNamingTheField(String flapDetection, String expected) throws IOException {
        assertThatThrownBy(() -> load("  - {name: a, tcpSocket: {host: h, port: 1}, " + flapDetection + "}\n"))
                .isInstanceOf(InvalidChecksFileException.class)
                .hasMessageContaining(expected);
    }
}
