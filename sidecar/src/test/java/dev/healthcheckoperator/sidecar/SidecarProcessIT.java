package dev.healthcheckoperator.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthcheckoperator.sidecar.testsupport.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged sidecar as a process, the way a container runs it: it serves, or it refuses to start at all. */
class SidecarProcessIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    @TempDir
    Path dir;

    private Process start(int port, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile());
        builder.environment().put("SIDECAR_PORT", Integer.toString(port));
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        builder.environment().putAll(env);
        return builder.start();
    }

    private String output() throws IOException {
        return Files.readString(dir.resolve("out.log"), StandardCharsets.UTF_8);
    }

    @Test
    void withoutConfigItAnswersLikeTheReferenceService() throws Exception {
        int port = Ports.closedPort();
        Process process = start(port, Map.of());
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build();
            HttpResponse<String> response = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (response == null && System.nanoTime() < deadline && process.isAlive()) {
                try {
                    response = client.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            assertThat(response).as(output()).isNotNull();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(response.body()).matches("\\{\"status\":\"ok\",\"timestamp\":\"[0-9T:-]+Z\"}");
            assertThat(output()).doesNotContain("/health"); // no line per request
        } finally {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void invalidChecksFileStopsItBeforeItServes() throws Exception {
        Path checks = Files.writeString(dir.resolve("checks.yaml"), """
                checks:
                  - name: db
                    tcpSocket: {host: postgres, port: 70000}
                """);
        int port = Ports.closedPort();
        Process process = start(port, Map.of("SIDECAR_CONFIG_FILE", checks.toString()));
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the sidecar must exit").isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output())
                .contains("invalid checks file " + checks)
                .contains("checks[0].tcpSocket.port: must be between 1 and 65535, got 70000")
                .doesNotContain("Listening on");
    }

    @Test
    void diagnosticsWithoutATokenStopIt() throws Exception {
        int port = Ports.closedPort();
        Process process = start(port, Map.of("SIDECAR_DIAGNOSTICS_ENABLED", "true",
                "SIDECAR_DIAGNOSTICS_PORT", Integer.toString(Ports.closedPort())));
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the sidecar must exit").isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output()).contains("diagnostics are enabled but no bearer token")
                .contains("SIDECAR_DIAGNOSTICS_TOKEN_FILE")
                .doesNotContain("Listening on");
    }
}
