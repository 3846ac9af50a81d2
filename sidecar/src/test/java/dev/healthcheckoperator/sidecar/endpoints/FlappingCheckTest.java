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
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A misbehaving upstream that answers 200 and 500 by turns: with failureThreshold and successThreshold 1 every
 * probe changes the check's state, so the check is reported flapping in /health and by its gauge, its state still
 * followed probe by probe; once the upstream settles, it stops flapping after a whole window without a change.
 */
@QuarkusTest
@TestProfile(FlappingCheckTest.WithAlternatingUpstream.class)
class FlappingCheckTest {

    static volatile FakeUpstream upstream;

    public static class WithAlternatingUpstream implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Upstream.class));
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
                    successThreshold: 1
                    checks:
                      - name: api
                        critical: true
                        httpGet: {url: "%s"}
                        flapDetection: {window: 3, maxTransitions: 1}
                      - name: quiet
                        httpGet: {url: "%s"}
                        flapDetection: {enabled: false}
                    """.formatted(started.url("/alternate/api"), started.url("/alternate/quiet"));
        }
    }

    @Test
    void anAlternatingUpstreamFlapsKeepsItsStateAndSettlesAfterAWindow() {
        Duration bound = Duration.ofSeconds(30);
        // Flapping, and the verdict still follows each probe: seen failing (503) and passing (200) while flapping.
        await().atMost(bound).untilAsserted(() -> given().when().get("/health").then().statusCode(503)
                .body("status", equalTo("down"))
                .body("checks[0].status", equalTo("failing"))
                .body("checks[0].flapping", equalTo(true)));
        await().atMost(bound).untilAsserted(() -> given().when().get("/health").then().statusCode(200)
                .body("status", equalTo("ok"))
                .body("checks[0].status", equalTo("ok"))
                .body("checks[0].flapping", equalTo(true)));
        assertThat(metrics()).containsPattern("sidecar_check_flapping\\{check=\"api\",?} 1\\.0")
                .containsPattern("sidecar_check_flapping\\{check=\"quiet\",?} 0\\.0");
        // The same upstream behaviour, with flap detection off: never flapping.
        given().when().get("/health").then().body("checks[1].flapping", equalTo(false));

        upstream.alternate = false;
        await().atMost(bound).untilAsserted(() -> given().when().get("/health").then().statusCode(200)
                .body("checks[0].status", equalTo("ok"))
                .body("checks[0].flapping", equalTo(false)));
        assertThat(metrics()).containsPattern("sidecar_check_flapping\\{check=\"api\",?} 0\\.0");
    }

    private static String metrics() {
        return given().accept("text/plain").when().get("/metrics").then().statusCode(200).extract().asString();
    }
}
