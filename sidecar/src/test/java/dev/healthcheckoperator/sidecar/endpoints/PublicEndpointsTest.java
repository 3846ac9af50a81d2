package dev.healthcheckoperator.sidecar.endpoints;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import dev.healthcheckoperator.sidecar.diagnostics.DiagnosticsServer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The public port with no checks file: the reference service's behaviour, plus the probe and metrics routes. */
@QuarkusTest
class PublicEndpointsTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    DiagnosticsServer diagnostics;

    @Test
    void healthIsExactlyTheReferenceJson() {
        String body = given().when().get("/health").then()
                .statusCode(200)
                .header("Content-Type", equalTo("application/json"))
                .body(matchesPattern("\\{\"status\":\"ok\",\"timestamp\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\"}"))
                .extract().asString();
        Instant timestamp = Instant.parse(body.substring(body.indexOf("timestamp\":\"") + 12, body.length() - 2));
        assertThat(Duration.between(timestamp, Instant.now()).abs()).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void headAnswersWithoutABody() {
        given().when().head("/health").then().statusCode(200)
                .header("Content-Type", equalTo("application/json")).body(emptyString());
    }

    @Test
    void otherMethodsGet405WithAllow() {
        for (String path : new String[] {"/health", "/health/live", "/health/ready", "/health/started"}) {
            given().when().post(path).then().statusCode(405)
                    .header("Allow", equalTo("GET, HEAD"))
                    .header("Content-Type", equalTo("application/json"))
                    .body("reason", equalTo("MethodNotAllowed"));
        }
        given().when().delete("/health").then().statusCode(405);
    }

    @Test
    void unknownPathIsJson404() {
        given().when().get("/debug/heap").then().statusCode(404)
                .header("Content-Type", equalTo("application/json"))
                .body("reason", equalTo("NotFound"));
        given().when().get("/health/nope").then().statusCode(404);
    }

    @Test
    void kubeletProbesAreUp() {
        given().when().get("/health/live").then().statusCode(200).body("status", equalTo("up"));
        given().when().get("/health/ready").then().statusCode(200).body("status", equalTo("up"));
        given().when().get("/health/started").then().statusCode(200).body("status", equalTo("up"));
    }

    private static double counted(String route, int status) {
        String metrics = given().when().get("/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^sidecar_http_requests_total\\{route=\"" + Pattern.quote(route)
                + "\",status=\"" + status + "\"} (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void everyRequestIsCountedByRouteAndStatus() {
        double before = counted("/health", 200);
        double notFoundBefore = counted("other", 404);
        for (int i = 0; i < 7; i++) {
            given().when().get("/health").then().statusCode(200);
        }
        double notAllowedBefore = counted("/health", 405);
        double metricsBefore = counted("/metrics", 200);
        given().when().get("/a-secret-path-that-must-not-become-a-label").then().statusCode(404);
        given().when().post("/health").then().statusCode(405);
        given().when().get("/health/ready").then().statusCode(200);
        assertThat(counted("/health", 200) - before).isEqualTo(7);
        assertThat(counted("other", 404) - notFoundBefore).isEqualTo(1);
        assertThat(counted("/health", 405) - notAllowedBefore).isEqualTo(1);
        // Each reading of /metrics is counted once, when its headers go (after its body was rendered): the four
        // readings since metricsBefore's body was rendered (its own and the three above) show in this one.
        assertThat(counted("/metrics", 200) - metricsBefore).isEqualTo(4);
        given().when().get("/metrics").then().body(org.hamcrest.Matchers.not(containsString("a-secret-path")));
    }

    @Test
    void metricsHaveTheJvmNamesDashboardsExpect() {
        // Micrometer registers the GC pause timer on the first collection it hears of; a short test
        // run may not have had one yet, so ask for one (the test runs in the sidecar's JVM).
        System.gc();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().when().get("/metrics").then()
                .body(containsString("jvm_gc_pause_seconds_count{")));
        // Prometheus' classic text format when asked for it (scrapers may also negotiate OpenMetrics).
        given().accept("text/plain").when().get("/metrics").then().statusCode(200)
                .header("Content-Type", containsString("text/plain; version=0.0.4"))
                .body(containsString("jvm_memory_used_bytes{"))
                .body(containsString("jvm_memory_max_bytes{"))
                .body(containsString("jvm_threads_live_threads"))
                .body(containsString("jvm_classes_loaded_classes"))
                .body(containsString("process_cpu_usage"))
                .body(containsString("process_uptime_seconds"));
    }

    /** What promtool check metrics stopped at before (PrometheusIT runs promtool itself on the packaged app). */
    @Test
    void metricsPassThePrometheusTextFormatLinter() {
        for (String accept : new String[] {"text/plain", "*/*"}) {
            String metrics = given().accept(accept).when().get("/metrics").then().statusCode(200).extract()
                    .asString();
            assertThat(metrics).as("Accept: %s", accept)
                    .doesNotContain("\\\"") // the text format's HELP has no \" escape
                    .doesNotContain("process_cpu_time_ns") // an abbreviated unit
                    .doesNotContain("system_cpu_count") // a gauge named like a histogram's count
                    .contains("process_cpu_seconds_total ")
                    .contains("# HELP netty_allocator_memory_used Bytes the Netty buffer allocator holds");
        }
    }

    @Test
    void oversizedHeadersAre431() {
        given().header("X-Big", "x".repeat(16 * 1024)).when().get("/health").then().statusCode(431);
        given().when().get("/health?" + "q=" + "x".repeat(8 * 1024)).then().statusCode(414);
        given().when().get("/health").then().statusCode(200);
    }

    @Test
    void malformedRequestIs400AndTheServerCarriesOn() throws Exception {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write("THIS IS NOT HTTP\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            assertThat(statusLine).matches("HTTP/1\\.[01] 400 .*");
        }
        given().when().get("/health").then().statusCode(200);
    }

    @Test
    void diagnosticsAreOffByDefault() {
        assertThat(diagnostics.port()).isEqualTo(-1);
    }
}
