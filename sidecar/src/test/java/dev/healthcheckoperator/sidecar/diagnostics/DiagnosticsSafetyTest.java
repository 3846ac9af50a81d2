package dev.healthcheckoperator.sidecar.diagnostics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The diagnostics port in the shape the operator deploys it: a token file that is rotated, a dump directory a
 * crashed run left a dump in, a short idle timeout; costly diagnostics one at a time.
 */
@QuarkusTest
@TestProfile(DiagnosticsSafetyTest.Deployed.class)
class DiagnosticsSafetyTest {

    static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "sidecar-diag-safety-" + ProcessHandle.current().pid());
    static final Path DUMP_DIR = DIR.resolve("dumps");
    static final Path TOKEN_FILE = DIR.resolve("token");
    static final Path LEFTOVER = DUMP_DIR.resolve("heapdump-1234567").resolve("heap.hprof");
    static final String FIRST_TOKEN = "first-token-0123456789";
    static final String SECOND_TOKEN = "second-token-0123456789";

    static volatile String token = FIRST_TOKEN;

    public static class Deployed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(LEFTOVER.getParent());
                Files.write(LEFTOVER, new byte[64 * 1024]);
                Files.writeString(TOKEN_FILE, FIRST_TOKEN + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("sidecar.diagnostics.enabled", "true",
                    "sidecar.diagnostics.port", "0",
                    "sidecar.diagnostics.token-file", TOKEN_FILE.toString(),
                    "sidecar.diagnostics.token-reload-interval", "200ms",
                    "sidecar.diagnostics.heap-dump-dir", DUMP_DIR.toString(),
                    // Longer than writing a dump takes on a busy machine: the connection is idle meanwhile.
                    "sidecar.diagnostics.idle-timeout", "10s");
        }
    }

    @Inject
    DiagnosticsServer server;

    @Test
    void dumpsLeftByACrashedRunAreRemovedAtStart() {
        assertThat(LEFTOVER.getParent()).doesNotExist();
        assertThat(DUMP_DIR).isDirectory();
    }

    @Test
    void bindsLoopbackOnlyByDefault() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            assertThat(socket.isConnected()).isTrue();
        }
        // Another loopback address stands in for the pod IP: bound to 127.0.0.1 only, nothing answers there.
        assertThatThrownBy(() -> new Socket("127.0.0.2", server.port()).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void aRotatedTokenFileTakesEffectWithoutARestart() throws Exception {
        given().port(server.port()).header("Authorization", "Bearer " + FIRST_TOKEN).when().get("/debug/heap")
                .then().statusCode(200);
        // As the kubelet updates a Secret volume: the new content appears at once, never half written.
        Path next = Files.writeString(DIR.resolve("token.next"), SECOND_TOKEN + "\n");
        Files.move(next, TOKEN_FILE, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        token = SECOND_TOKEN;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().port(server.port())
                .header("Authorization", "Bearer " + SECOND_TOKEN).when().get("/debug/heap").then().statusCode(200));
        given().port(server.port()).header("Authorization", "Bearer " + FIRST_TOKEN).when().get("/debug/heap")
                .then().statusCode(401);
    }

    /** A client that asks for a dump and then stops reading is cut off by the idle timeout: slot and file freed. */
    @Test
    void anIdleClientFreesTheDumpSlotAndTheFile() throws Exception {
        try (Socket stalled = DiagnosticsEndpointsTest.startDumpAndStopReading(server.port(), token)) {
            // The client keeps its connection open and reads nothing more.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(DiagnosticsEndpointsTest.filesIn(DUMP_DIR)).isZero());
            Response next = given().port(server.port()).header("Authorization", "Bearer " + token).when()
                    .get("/debug/heapdump");
            assertThat(next.statusCode()).as(next.asString()).isEqualTo(200);
        }
    }

    @Test
    void theClassHistogramRunsOneAtATimeAndIsReusedForAFewSeconds() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(client.sendAsync(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/debug/heap/histogram?top=2"))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> takenAt = ConcurrentHashMap.newKeySet();
        int ok = 0;
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get();
            assertThat(response.statusCode()).as(response.body()).isIn(200, 429);
            if (response.statusCode() == 200) {
                ok++;
                takenAt.add(takenAt(response.body()));
            } else {
                assertThat(response.body()).contains("already being taken");
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
            }
        }
        assertThat(ok).isPositive();
        assertThat(takenAt).as("one histogram served to every request that got one").hasSize(1);
        String first = takenAt.iterator().next();
        // Not reused forever: a later one is taken anew.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Response later = given().port(server.port()).header("Authorization", "Bearer " + token).when()
                    .get("/debug/heap/histogram?top=2");
            assertThat(later.statusCode()).isEqualTo(200);
            assertThat(takenAt(later.asString())).isNotEqualTo(first);
        });
        given().port(server.port()).header("Authorization", "Bearer " + token).when()
                .get("/debug/heap/histogram?top=2").then().statusCode(200).body(containsString("takenAt"));
    }

    private static String takenAt(String body) {
        Matcher m = Pattern.compile("\"takenAt\":\"([^\"]+)\"").matcher(body);
        assertThat(m.find()).as(body).isTrue();
        return m.group(1);
    }
}
