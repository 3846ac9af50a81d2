package dev.healthcheckoperator.operator.health;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.allEvents;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.await;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.condition;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.events;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.get;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.markDeploymentAvailable;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.tcpCheck;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.reconciler.HealthCheckReconciler;
import dev.healthcheckoperator.operator.reconciler.HealthyCondition;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.KubeApiServerResource;
import dev.healthcheckoperator.operator.testsupport.MisbehavingSidecar;
import dev.healthcheckoperator.operator.testsupport.MisbehavingSidecar.Behaviour;
import dev.healthcheckoperator.operator.testsupport.StatusWrites;
import dev.healthcheckoperator.operator.testsupport.StubSidecar;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The operator's poller, in-process against a real API server, with sidecars on loopback that misbehave or flap
 * (direct poll mode, interval 1 s, deadline 2 s, failure threshold 3: see application.properties).
 */
@QuarkusTest
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = false)
class PollerRobustnessTest {

    final KubernetesClient client = ControlPlane.admin();
    final List<AutoCloseable> peers = new ArrayList<>();
    String namespace;

    @Inject
    Operator operator;

    @BeforeEach
    void createNamespace() {
        namespace = ControlPlane.createNamespace(client, "poller");
    }

    @AfterEach
    void stopPeers() throws Exception {
        for (AutoCloseable peer : peers) {
            peer.close();
        }
    }

    @Test
    void misbehavingSidecarsEndUnknownAndAHealthyOneKeepsBeingPolled() throws Exception {
        StubSidecar healthy = peer(new StubSidecar());
        HealthCheck good = ready("good", healthy.port());
        Map<Behaviour, String> expectedReason = Map.of(
                Behaviour.STALL_AFTER_HEADERS, "SidecarUnreachable",
                Behaviour.TRICKLE, "SidecarUnreachable",
                Behaviour.ENDLESS_BODY, "UnexpectedResponse",
                Behaviour.FIVE_MEGABYTES, "UnexpectedResponse");
        Map<Behaviour, HealthCheck> bad = new java.util.EnumMap<>(Behaviour.class);
        for (Behaviour behaviour : expectedReason.keySet()) {
            MisbehavingSidecar sidecar = peer(new MisbehavingSidecar(behaviour));
            bad.put(behaviour, ready(behaviour.name().toLowerCase().replace('_', '-'), sidecar.port()));
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> health(good) == Health.Healthy);
        for (var entry : bad.entrySet()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> expectedReason.get(entry.getKey())
                    .equals(reason(entry.getValue())));
            assertEquals(Health.Unknown, health(entry.getValue()));
        }
        // Meanwhile the healthy sidecar went on being polled, and its status was written once.
        int polls = healthy.polls();
        await().until(() -> healthy.polls() >= polls + 3);
        assertEquals(Health.Healthy, health(good));
        assertEquals(1, events(client, good, "Healthy").size());
    }

    @Test
    void aPollThatFailsBelowTheThresholdChangesNothing() throws Exception {
        StubSidecar flapping = peer(new StubSidecar());
        HealthCheck hc = ready("flapping", flapping.port());
        await().until(() -> health(hc) == Health.Healthy);
        int settled = flapping.polls();
        await().until(() -> flapping.polls() >= settled + 2);

        try (StatusWrites writes = new StatusWrites(client, namespace)) {
            int eventsBefore = allEvents(client, hc).size();
            // Two of every three polls fail: never three in a row.
            flapping.drop(true, true, false);
            int start = flapping.polls();
            await().atMost(Duration.ofSeconds(60)).until(() -> flapping.polls() >= start + 9);

            assertEquals(List.of(), writes.of("flapping"), "no status write");
            assertEquals(eventsBefore, allEvents(client, hc).size(), "no Event");
            assertEquals(Health.Healthy, health(hc));
        }

        // Three in a row is the threshold: then it is Unknown.
        flapping.drop(true);
        await().until(() -> health(hc) == Health.Unknown);
        assertEquals("SidecarUnreachable", reason(hc));
    }

    @Test
    void aNewPortIsPolledWithoutABlipThroughUnknown() throws Exception {
        StubSidecar before = peer(new StubSidecar());
        StubSidecar after = peer(new StubSidecar());
        HealthCheck hc = ready("moving", before.port());
        await().until(() -> health(hc) == Health.Healthy);

        try (StatusWrites writes = new StatusWrites(client, namespace)) {
            HealthCheck moved = get(client, hc);
            moved.getSpec().setPort(after.port());
            client.resource(moved).update();
            // The sidecars roll to the new port (the test plays the Deployment controller).
            markDeploymentAvailable(client, hc, 1);

            await().until(() -> after.polls() >= 3);
            await().until(() -> Long.valueOf(2).equals(get(client, hc).getStatus().getObservedGeneration()));
            assertTrue(writes.of("moving").stream().allMatch(w -> w.health() == Health.Healthy),
                    "every health written on the way: " + writes.of("moving"));
            assertEquals(List.of(), events(client, hc, "HealthUnknown"));
            assertEquals(1, events(client, hc, "Healthy").size());
        }
    }

    @Test
    void theOperatorReportsItsPollerAndReconcilesEveryHour() {
        for (String probe : List.of("/q/health/live", "/q/health/ready")) {
            RestAssured.get(probe).then().statusCode(200)
                    .body("checks.name", hasItem(PollerHealthCheck.NAME))
                    .body("checks.find { it.name == '" + PollerHealthCheck.NAME + "' }.status", equalTo("UP"));
        }
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("healthcheck_operator_poll_last_completed_timestamp_seconds"), metrics);
        assertTrue(metrics.contains("healthcheck_operator_poll_overdue_max_seconds"), metrics);
        assertEquals(Duration.ofHours(1), operator.getRegisteredController(HealthCheckReconciler.NAME)
                .orElseThrow().getConfiguration().maxReconciliationInterval().orElseThrow());
    }

    private <T extends AutoCloseable> T peer(T peer) {
        peers.add(peer);
        return peer;
    }

    private HealthCheck ready(String name, int port) {
        HealthCheck hc = client.resource(healthCheck(namespace, name, port,
                tcpCheck("api", "api.shop.svc", 8080, true))).create();
        markDeploymentAvailable(client, hc, 1);
        return hc;
    }

    private Health health(HealthCheck hc) {
        HealthCheck current = get(client, hc);
        return current.getStatus() == null ? null : current.getStatus().getHealth();
    }

    private String reason(HealthCheck hc) {
        var healthy = condition(get(client, hc), HealthyCondition.TYPE);
        return healthy == null ? null : healthy.getReason();
    }
}
