package dev.healthcheckoperator.sidecar.endpoints;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.healthcheckoperator.sidecar.testsupport.FakeUpstream;
import dev.healthcheckoperator.sidecar.testsupport.Ports;
import dev.healthcheckoperator.sidecar.testsupport.UpstreamWithChecks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /health with a checks file: a critical check that fails and recovers, and a non-critical one that is down. */
@QuarkusTest
@TestProfile(HealthWithChecksTest.WithChecks.class)
class HealthWithChecksTest {

    static volatile FakeUpstream upstream;

    public static class WithChecks implements QuarkusTestProfile {
        @Override
        public java.util.List<TestResourceEntry> testResources() {
            return java.util.List.of(new TestResourceEntry(Upstream.class));
        }
    }

    public static class Upstream extends UpstreamWithChecks {
        @Override
        protected void started(FakeUpstream started) {
            upstream = started;
        }

        @Override
        protected String checksYaml(FakeUpstream started) {
            return """
                    periodSeconds: 2
                    timeoutSeconds: 1
                    failureThreshold: 1
                    checks:
                      - name: api
                        critical: true
                        httpGet:
                          url: %s
                      - name: cache
                        tcpSocket: {host: 127.0.0.1, port: %d}
                    """.formatted(started.url("/switch"), Ports.closedPort());
        }
    }

    @Test
    void criticalFailureIsDown503AndRecovers() {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> given().when().get("/health/ready").then()
                .statusCode(200));
        given().when().get("/health").then()
                .statusCode(200)
                .header("Content-Type", equalTo("application/json"))
                .body("status", equalTo("degraded"))
                .body("timestamp", notNullValue())
                .body("checks[0].name", equalTo("api"))
                .body("checks[0].status", equalTo("ok"))
                .body("checks[0].critical", equalTo(true))
                .body("checks[0].reason", equalTo("Succeeded"))
                .body("checks[0].lastSuccess", notNullValue())
                .body("checks[1].name", equalTo("cache"))
                .body("checks[1].status", equalTo("failing"))
                .body("checks[1].reason", equalTo("ConnectionRefused"))
                .body("checks[1].lastSuccess", nullValue());

        upstream.switchStatus = 500;
        try {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> given().when().get("/health").then()
                    .statusCode(503)
                    .body("status", equalTo("down"))
                    .body("checks[0].status", equalTo("failing"))
                    .body("checks[0].reason", equalTo("UnexpectedStatus"))
                    .body("checks[0].message", equalTo("HTTP 500, expected 200-399")));
            // The sidecar itself is fine: liveness and readiness do not follow the upstreams.
            given().when().get("/health/live").then().statusCode(200);
            given().when().get("/health/ready").then().statusCode(200);
            given().when().head("/health").then().statusCode(503);
        } finally {
            upstream.switchStatus = 200;
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> given().when().get("/health").then()
                .statusCode(200).body("status", equalTo("degraded")).body("checks[0].status", equalTo("ok")));
    }

    @Test
    void checkMetricsAreExported() {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            String metrics = given().accept("text/plain").when().get("/metrics").then().statusCode(200)
                    .extract().asString();
            // The classic text format may end label sets with a comma.
            org.assertj.core.api.Assertions.assertThat(metrics)
                    .containsPattern("sidecar_check_up\\{check=\"cache\",critical=\"false\",?} 0\\.0")
                    .containsPattern("sidecar_check_up\\{check=\"api\",critical=\"true\",?} 1\\.0")
                    .containsPattern("sidecar_check_failures_total\\{check=\"cache\",reason=\"ConnectionRefused\",?} [1-9]")
                    .containsPattern("sidecar_check_consecutive_failures\\{check=\"cache\",?} [1-9]")
                    .containsPattern("sidecar_check_duration_seconds_bucket\\{check=\"api\",le=\"0\\.005\",?}");
        });
    }
}
