package dev.healthcheckoperator.sidecar.checks.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.HttpHeader;
import dev.healthcheckoperator.sidecar.testsupport.MountedSecretDir;
import dev.healthcheckoperator.sidecar.testsupport.Probing;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A header whose value is a mounted Secret key: read when each probe builds its request, so a rotated Secret is
 * sent by the next probe of the same probe object (no restart); a file that cannot be used fails the probe with a
 * message naming the file and never its content, and sends nothing.
 */
class SecretHeaderProbeTest {

    private static final long TIMEOUT_MS = 10_000;
    private static final String FIRST = "first-token-4d1b";
    private static final String SECOND = "second-token-9c07";
    private static Vertx vertx;
    private static HttpServer upstream;
    private static final AtomicReference<String> accepted = new AtomicReference<>();
    private static final AtomicInteger requests = new AtomicInteger();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = vertx.createHttpServer().requestHandler(request -> {
            requests.incrementAndGet();
            boolean ok = ("Bearer " + accepted.get()).equals(request.getHeader("Authorization"));
            request.response().setStatusCode(ok ? 200 : 401).end();
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static HttpGetProbe probe(Path valueFile) {
        return new HttpGetProbe(vertx, Probing.get("http://127.0.0.1:" + upstream.actualPort() + "/ready",
                List.of(new HttpHeader("Authorization", null, valueFile.toString())), null, null, null),
                new ObjectMapper(), 1024);
    }

    @Test
    void theNextProbeSendsTheRotatedValueWithoutARestart() throws Exception {
        MountedSecretDir secret = new MountedSecretDir(dir, Map.of("token", "Bearer " + FIRST));
        accepted.set(FIRST);
        HttpGetProbe probe = probe(secret.file("token"));
        try {
            assertThat(Probing.once(vertx, probe, TIMEOUT_MS).success()).isTrue();

            accepted.set(SECOND); // the upstream rotated first: the old value is refused
            ProbeOutcome stale = Probing.once(vertx, probe, TIMEOUT_MS);
            assertThat(stale.reason()).isEqualTo(FailureReason.UnexpectedStatus);

            secret.update(Map.of("token", "Bearer " + SECOND)); // then the kubelet swapped the mounted Secret
            ProbeOutcome rotated = Probing.once(vertx, probe, TIMEOUT_MS);
            assertThat(rotated.success()).as(rotated.message()).isTrue();
        } finally {
            probe.close();
        }
    }

    @Test
    void oneLineEndingAtTheEndIsNotPartOfTheValue() throws Exception {
        MountedSecretDir secret = new MountedSecretDir(dir, Map.of("token", "Bearer " + FIRST + "\r\n"));
        accepted.set(FIRST);
        ProbeOutcome outcome = runOnce(secret.file("token"));
        assertThat(outcome.success()).as(outcome.message()).isTrue();
    }

    @Test
    void aMissingFileFailsNamingIt() throws Exception {
        Path missing = dir.resolve("token");
        assertUnusable(missing, "header value file " + missing + " does not exist", null);
    }

    @Test
    void anEmptyFileFailsNamingIt() throws Exception {
        Path empty = Files.writeString(dir.resolve("token"), "");
        assertUnusable(empty, "header value file " + empty + " is empty", null);
    }

    @Test
    void aLineEndingAloneFailsNamingTheFile() throws Exception {
        Path blank = Files.writeString(dir.resolve("token"), "\n");
        assertUnusable(blank, "header value file " + blank + " holds only a line ending", null);
    }

    @Test
    void aTooLargeFileFailsWithoutReadingItWhole() throws Exception {
        String huge = "Bearer " + FIRST + "x".repeat(64 * 1024);
        Path large = Files.writeString(dir.resolve("token"), huge);
        assertUnusable(large, "header value file " + large + " is larger than 4098 bytes", FIRST);
    }

    @Test
    void aDirectoryFailsNamingIt() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("token"));
        assertUnusable(directory, "header value file " + directory + " is a directory, not a file", null);
    }

    @Test
    void aValueWithAControlCharacterFailsWithItsPositionNotItsContent() throws Exception {
        Path broken = Files.writeString(dir.resolve("token"), "Bearer " + FIRST + "\nX-Injected: 1");
        assertUnusable(broken, "header value file " + broken + ": control character U+000A at position "
                + ("Bearer " + FIRST).length(), FIRST);
    }

    @Test
    void aPipeFailsNamingIt() throws Exception {
        Path pipe = dir.resolve("token");
        assertThat(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor()).isZero();
        assertUnusable(pipe, "header value file " + pipe + " is not a regular file", null);
    }

    /** Skipped when the tests run as root, who reads any file whatever its mode. */
    @Test
    void anUnreadableFileFailsNamingIt() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads a file of any mode");
        Path locked = Files.writeString(dir.resolve("token"), "Bearer " + FIRST);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        assertUnusable(locked, "header value file " + locked + " cannot be read: permission denied", FIRST);
    }

    private ProbeOutcome runOnce(Path valueFile) throws Exception {
        HttpGetProbe probe = probe(valueFile);
        try {
            return Probing.once(vertx, probe, TIMEOUT_MS);
        } finally {
            probe.close();
        }
    }

    private void assertUnusable(Path file, String expectedMessage, String secretPart) throws Exception {
        int before = requests.get();
        ProbeOutcome outcome = runOnce(file);
        assertThat(outcome.reason()).isEqualTo(FailureReason.SecretUnreadable);
        assertThat(outcome.message()).startsWith(expectedMessage);
        if (secretPart != null) {
            assertThat(outcome.message()).doesNotContain(secretPart);
        }
        assertThat(requests.get()).as("no request goes out without its header").isEqualTo(before);
    }
}
