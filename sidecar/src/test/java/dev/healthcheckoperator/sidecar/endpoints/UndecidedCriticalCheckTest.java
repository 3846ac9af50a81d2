package dev.healthcheckoperator.sidecar.endpoints;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.healthcheckoperator.sidecar.testsupport.FakeUpstream;
import dev.healthcheckoperator.sidecar.testsupport.UpstreamWithChecks;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A critical check that has never succeeded and has failed fewer than failureThreshold (3) times has no
 * verdict yet: /health says "unknown" with 503, never "ok". Once decided, the kubelet's rules hold.
 */
@QuarkusTest
@TestProfile(UndecidedCriticalCheckTest.FailingFromTheStart.class)
class UndecidedCriticalCheckTest {

    static volatile FakeUpstream upstream;

    public static class FailingFromTheStart implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Upstream.class));
        }
    }

    public static class Upstream extends UpstreamWithChecks {
        @Override
        protected void started(FakeUpstream started) {
            upstream = started;
            started.switchStatus = 500; // failing before the first probe
        }

        @Override
        protected String checksYaml(FakeUpstream started) {
            return """
                    periodSeconds: 8
                    timeoutSeconds: 5
                    failureThreshold: 3
                    checks:
                      - name: api
                        critical: true
                        httpGet:
                          url: %s
                    """.formatted(started.url("/switch"));
        }
    }

    private record Seen(int code, String status, String checkStatus, int failures) {
    }

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/health")
    URI healthUri;

    /** A plain client: sampling must be quick from the first request on, or the window is missed. */
    private Seen health() throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(healthUri).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        JsonNode check = body.path("checks").path(0);
        return new Seen(response.statusCode(), body.path("status").asText(), check.path("status").asText(),
                check.path("consecutiveFailures").asInt());
    }

    /**
     * Every /health answer from the check's first failure on, for a few seconds, while it has failed once or
     * twice. An 8 s period leaves 16 s between the first failure and the third, five times the 3 s sampled.
     */
    private List<Seen> answersWhileFailedOnceOrTwice() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> health().failures() >= 1);
        List<Seen> seen = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Seen now = health();
            if (now.failures() >= 1 && now.failures() <= 2) {
                seen.add(now);
            }
            return System.nanoTime() > until;
        });
        return seen;
    }

    @Test
    void unknownWith503UntilDecidedThenTheKubeletsRules() throws Exception {
        // Never succeeded, failed fewer than 3 times: no verdict, so unknown with 503, never ok.
        List<Seen> undecided = answersWhileFailedOnceOrTwice();
        assertThat(undecided).isNotEmpty()
                .allSatisfy(seen -> assertThat(seen).isEqualTo(new Seen(503, "unknown", "unknown", seen.failures())));
        // Readiness is about the sidecar, not the verdict: it is ready once the check has run.
        given().when().get("/health/ready").then().statusCode(200);

        upstream.switchStatus = 200;
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> given().when().get("/health").then()
                .statusCode(200).body("status", equalTo("ok")).body("checks[0].status", equalTo("ok")));

        // Decided as passing: a failure or two below the threshold leave it ok (200), as the kubelet does.
        // (That the third one makes it down is HealthReportTest's and HealthWithChecksTest's part.)
        upstream.switchStatus = 500;
        try {
            List<Seen> decided = answersWhileFailedOnceOrTwice();
            assertThat(decided).isNotEmpty()
                    .allSatisfy(seen -> assertThat(seen).isEqualTo(new Seen(200, "ok", "ok", seen.failures())));
        } finally {
            upstream.switchStatus = 200;
        }
    }
}
