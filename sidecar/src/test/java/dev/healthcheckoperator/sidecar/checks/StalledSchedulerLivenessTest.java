package dev.healthcheckoperator.sidecar.checks;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import dev.healthcheckoperator.sidecar.testsupport.ChecksFiles;
import dev.healthcheckoperator.sidecar.testsupport.Ports;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When the check scheduler stops running (here: its timers are cancelled, as a wedged event loop would leave
 * them), /health/live fails after a few periods, so the kubelet restarts the sidecar; a failing upstream alone
 * never does that.
 */
@QuarkusTest
@TestProfile(StalledSchedulerLivenessTest.OneCheck.class)
class StalledSchedulerLivenessTest {

    public static class OneCheck implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(ChecksFiles.configFor("""
                    periodSeconds: 2
                    timeoutSeconds: 1
                    failureThreshold: 1
                    checks:
                      - name: db
                        critical: true
                        tcpSocket: {host: 127.0.0.1, port: %d}
                    """.formatted(Ports.closedPort())));
            config.put("sidecar.liveness.stalled-periods", "4");
            return config;
        }
    }

    @Inject
    CheckEngine engine;

    @Test
    void aStalledSchedulerFailsLivenessAFailingUpstreamDoesNot() {
        // The upstream refuses every probe for longer than the stall window (4 periods): liveness stays up.
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> given().when().get("/health").then()
                .statusCode(503).body("status", equalTo("down")).body("checks[0].consecutiveFailures",
                        org.hamcrest.Matchers.greaterThanOrEqualTo(5)));
        given().when().get("/health/live").then().statusCode(200).body("status", equalTo("up"));

        engine.stop();
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> given().when().get("/health/live").then()
                .statusCode(503)
                .body("status", equalTo("down"))
                .body("reason", equalTo("SchedulerStalled"))
                .body("checks", contains("db")));
    }
}
