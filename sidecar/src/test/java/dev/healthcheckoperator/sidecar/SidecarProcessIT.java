package dev.healthcheckoperator.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.healthcheckoperator.sidecar.testsupport.Ports;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged sidecar as a process, the way the image runs it ({@code java @jvm.options -jar ...}, so under
 * the shipped heap and memory caps): it serves, or it refuses to start at all.
 */
class SidecarProcessIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final Path JVM_OPTIONS = Path.of("jvm.options");

    @TempDir
    Path dir;

    private Process start(int port, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + JVM_OPTIONS.toAbsolutePath(), "-jar", JAR.toAbsolutePath().toString()));
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
    void aStallWindowThatWouldRestartAHealthySidecarStopsIt() throws Exception {
        Process process = start(Ports.closedPort(), Map.of("SIDECAR_LIVENESS_STALLED_PERIODS", "1"));
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the sidecar must exit").isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output()).contains("sidecar.liveness.stalled-periods (SIDECAR_LIVENESS_STALLED_PERIODS) must be at "
                + "least 2, got 1").doesNotContain("Listening on");
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

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitServing(Process process, int port) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> {
                    assertThat(process.isAlive()).as(output()).isTrue();
                    assertThat(get(port, "/health/ready").statusCode()).isEqualTo(200);
                });
    }

    /**
     * 64 checks, each reading a JSON body at the cap (64 KiB) every period, for a minute, under the shipped
     * -Xmx48m and direct-memory cap: no OutOfMemoryError (which would exit the JVM), /health answers throughout.
     */
    @Test
    void underMemoryPressureItStaysUpAndKeepsAnswering() throws Exception {
        int bodyCap = 64 * 1024;
        String prefix = "{\"status\":\"UP\",\"pad\":\"";
        byte[] body = (prefix + "x".repeat(bodyCap - prefix.length() - 2) + "\"}").getBytes(StandardCharsets.US_ASCII);
        assertThat(body).hasSize(bodyCap);
        AtomicLong served = new AtomicLong();
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        ExecutorService upstreamThreads = Executors.newFixedThreadPool(16);
        upstream.createContext("/big", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            served.incrementAndGet();
        });
        upstream.setExecutor(upstreamThreads);
        upstream.start();
        StringBuilder checks = new StringBuilder("periodSeconds: 2\ntimeoutSeconds: 1\nfailureThreshold: 3\nchecks:\n");
        for (int i = 0; i < 64; i++) {
            checks.append("  - name: big-").append(i).append("\n    critical: true\n    httpGet:\n      url: http://127.0.0.1:")
                    .append(upstream.getAddress().getPort()).append("/big\n      jsonBody: [{path: \"$.status\", equals: \"UP\"}]\n");
        }
        Path file = Files.writeString(dir.resolve("checks.yaml"), checks);
        int port = Ports.closedPort();
        Process process = start(port, Map.of("SIDECAR_CONFIG_FILE", file.toString(),
                "SIDECAR_MAX_RESPONSE_BODY_BYTES", Integer.toString(bodyCap)));
        try {
            awaitServing(process, port);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long servedAtStart = served.get();
            int answers = 0;
            while (System.nanoTime() < until) {
                assertThat(process.isAlive()).as(output()).isTrue();
                HttpResponse<String> health = get(port, "/health"); // throws if it stops answering
                assertThat(health.statusCode()).as(health.body()).isIn(200, 503);
                assertThat(health.body()).startsWith("{\"status\":");
                answers++;
                Thread.sleep(250); // pacing of the poll, not a condition
            }
            assertThat(answers).isGreaterThan(30);
            // Every check really fetched its body, period after period (64 checks, 30 periods in a minute).
            assertThat(served.get() - servedAtStart).isGreaterThan(64 * 10);
            HttpResponse<String> last = get(port, "/health");
            assertThat(last.statusCode()).as(last.body()).isEqualTo(200);
            assertThat(last.body()).startsWith("{\"status\":\"ok\"").doesNotContain("\"failing\"");
            assertThat(process.isAlive()).isTrue();
            assertThat(output()).doesNotContain("OutOfMemoryError").doesNotContain("OutOfDirectMemory");
            // jvm.options budgets the stacks of 40 threads: the fixed pools must keep the peak below that.
            java.util.regex.Matcher peak = java.util.regex.Pattern.compile("(?m)^jvm_threads_peak_threads(?:\\{[^}]*})? ([0-9.]+)")
                    .matcher(get(port, "/metrics").body());
            assertThat(peak.find()).isTrue();
            assertThat(Double.parseDouble(peak.group(1))).isLessThanOrEqualTo(40);
        } finally {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            upstream.stop(0);
            upstreamThreads.shutdownNow();
        }
    }

    /**
     * SIGTERM: readiness fails first while the ports still serve (the shutdown delay), a request that was
     * under way is answered, then the ports close and the process exits cleanly.
     */
    @Test
    void sigtermFailsReadinessFirstFinishesRequestsThenClosesThePorts() throws Exception {
        int port = Ports.closedPort();
        Process process = start(port, Map.of("QUARKUS_SHUTDOWN_DELAY", "8s"));
        awaitServing(process, port);
        try (Socket inFlight = new Socket("127.0.0.1", port)) {
            inFlight.setSoTimeout(30_000);
            OutputStream out = inFlight.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: sidecar\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            process.destroy(); // SIGTERM
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                HttpResponse<String> ready = get(port, "/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("\"reason\":\"ShuttingDown\"");
            });
            // Not ready any more, yet still serving.
            HttpResponse<String> health = get(port, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(process.isAlive()).isTrue();

            out.write("Connection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = inFlight.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 200").contains("{\"status\":\"ok\"");
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                throw new AssertionError("port " + port + " still accepts connections");
            } catch (ConnectException closed) {
                // expected once the ports are closed
            }
        });
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output()).isTrue();
        // 143 is the JVM's exit on SIGTERM after its shutdown hooks ran; nothing was cut short.
        assertThat(process.exitValue()).as(output()).isIn(0, 143);
        assertThat(output()).doesNotContain("Timed out waiting for graceful shutdown");
    }
}
