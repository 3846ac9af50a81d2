package dev.healthcheckoperator.operator.health;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.await;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.condition;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.events;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.get;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.markDeploymentAvailable;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.StatusCondition;
import dev.healthcheckoperator.operator.reconciler.FlappingCondition;
import dev.healthcheckoperator.operator.reconciler.HealthyCondition;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.KubeApiServerResource;
import dev.healthcheckoperator.operator.testsupport.StatusWrites;
import dev.healthcheckoperator.operator.testsupport.StubSidecar;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The poller against a stand-in sidecar whose answer the test controls (the operator runs in direct poll mode and
 * reaches it on loopback, see application.properties): status, writes and Events follow the sidecar's health.
 */
@QuarkusTest
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = false)
class HealthStatusTest {

    private static final int FLAPPING_FLIPS = 4;

    /** The test acts as cluster admin; the operator runs with its own ServiceAccount's rights. */
    final KubernetesClient client = ControlPlane.admin();

    StubSidecar sidecar;
    HealthCheck hc;

    @BeforeEach
    void startSidecarAndHealthCheck() throws Exception {
        sidecar = new StubSidecar();
        sidecar.answer("ok", "api:ok:critical", "cache:ok");
        String namespace = ControlPlane.createNamespace(client, "health");
        hc = client.resource(healthCheck(namespace, "shop", sidecar.port(),
                tcpCheck("api", "api.shop.svc", 8080, true), tcpCheck("cache", "cache.shop.svc", 6379, false)))
                .create();
        markDeploymentAvailable(client, hc, 1);
    }

    @AfterEach
    void stopSidecar() {
        sidecar.close();
    }

    @Test
    void healthFollowsTheSidecarAndEachTransitionIsOneEvent() {
        await().until(() -> healthOf() == Health.Healthy);
        HealthCheck healthy = get(client, hc);
        assertEquals("True", condition(healthy, HealthyCondition.TYPE).getStatus());
        assertEquals("AllChecksPassing", condition(healthy, HealthyCondition.TYPE).getReason());
        assertEquals(2, healthy.getStatus().getChecks().size());
        assertTrue(healthy.getStatus().getChecks().stream().allMatch(c -> Boolean.TRUE.equals(c.getHealthy())));

        sidecar.answer("degraded", "api:ok:critical", "cache:failing");
        await().until(() -> healthOf() == Health.Degraded);
        HealthCheck degraded = get(client, hc);
        assertEquals("False", condition(degraded, HealthyCondition.TYPE).getStatus());
        assertEquals("NonCriticalChecksFailing", condition(degraded, HealthyCondition.TYPE).getReason());
        CheckStatus cache = check(degraded, "cache");
        assertEquals(Boolean.FALSE, cache.getHealthy());
        assertEquals("ConnectionRefused", cache.getReason());
        assertEquals("connection refused", cache.getMessage());

        sidecar.answer("down", "api:failing:critical", "cache:failing");
        await().until(() -> healthOf() == Health.Unhealthy);
        assertEquals("CriticalChecksFailing", condition(get(client, hc), HealthyCondition.TYPE).getReason());

        sidecar.answer("ok", "api:ok:critical", "cache:ok");
        await().until(() -> healthOf() == Health.Healthy);
        assertNull(check(get(client, hc), "cache").getMessage());

        // A few more polls that change nothing add no Event.
        int polls = sidecar.polls();
        await().until(() -> sidecar.polls() >= polls + 3);
        assertEquals(2, events(client, hc, "Healthy").size());
        assertEquals(1, events(client, hc, "Degraded").size());
        assertEquals(1, events(client, hc, "Unhealthy").size());
        assertEquals("Warning", events(client, hc, "Unhealthy").get(0).getType());
        // Available with the first verdict in one write: its Healthy Event says the sidecars answer.
        assertEquals(0, events(client, hc, "SidecarsAvailable").size());
    }

    @Test
    void readyAndTheFirstHealthAreOneWrite() {
        String namespace = hc.getMetadata().getNamespace();
        try (StatusWrites writes = new StatusWrites(client, namespace)) {
            HealthCheck fresh = client.resource(healthCheck(namespace, "fresh", sidecar.port(),
                    tcpCheck("api", "api.shop.svc", 8080, true))).create();
            markDeploymentAvailable(client, fresh, 1);
            await().until(() -> get(client, fresh).getStatus() != null
                    && get(client, fresh).getStatus().getHealth() == Health.Healthy);
            int polls = sidecar.polls();
            await().until(() -> sidecar.polls() >= polls + 2);

            List<StatusWrites.Write> readyWrites = writes.of("fresh").stream()
                    .filter(w -> "True".equals(w.ready())).toList();
            assertEquals(1, readyWrites.size(), writes.of("fresh").toString());
            assertEquals(Health.Healthy, readyWrites.get(0).health(), writes.of("fresh").toString());
            assertTrue(writes.of("fresh").stream().noneMatch(w -> "Pending".equals(w.healthyReason())),
                    writes.of("fresh").toString());
            await().until(() -> events(client, fresh, "Healthy").size() == 1);
            // Two writes from create to Healthy: one status (Ready with the first health), one Event (Healthy).
            assertEquals(List.of("Healthy"), client.events().v1().events().inNamespace(namespace).list().getItems()
                    .stream().filter(e -> "fresh".equals(e.getRegarding().getName())).map(Event::getReason).toList());
        }
    }

    @Test
    void pollsThatChangeNothingWriteNothing() {
        await().until(() -> healthOf() == Health.Healthy);
        // Let the write of the first report settle, then count.
        int settled = sidecar.polls();
        await().until(() -> sidecar.polls() >= settled + 2);
        String resourceVersion = get(client, hc).getMetadata().getResourceVersion();

        int polls = sidecar.polls();
        await().until(() -> sidecar.polls() >= polls + 5);

        assertEquals(resourceVersion, get(client, hc).getMetadata().getResourceVersion(),
                "5 polls with fresh timestamps and latencies but the same health must not write the status");
    }

    @Test
    void anUnreachableSidecarIsUnknown() {
        await().until(() -> healthOf() == Health.Healthy);
        String transitionedAt = check(get(client, hc), "api").getLastTransitionTime();

        sidecar.close();

        await().until(() -> healthOf() == Health.Unknown);
        HealthCheck unknown = get(client, hc);
        assertEquals("Unknown", condition(unknown, HealthyCondition.TYPE).getStatus());
        assertEquals("SidecarUnreachable", condition(unknown, HealthyCondition.TYPE).getReason());
        assertTrue(unknown.getStatus().getChecks().isEmpty());
        assertFalse(transitionedAt.isEmpty());
        await().until(() -> events(client, hc, "HealthUnknown").size() == 1);
    }

    @Test
    void metricsCountHealthChecksByHealthAndKeepReconcileMetricsLowCardinality() {
        await().until(() -> healthOf() == Health.Healthy);
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("healthcheck_operator_healthchecks{health=\"Healthy\"}"), metrics);
        assertTrue(metrics.contains("operator_sdk_"), "JOSDK's reconcile metrics are exported");
        assertFalse(metrics.contains(hc.getMetadata().getNamespace()),
                "no series per HealthCheck: the namespace of one must not appear in the metrics");
    }

    /**
     * A critical check reported flapping, flip after flip, then settling: the Flapping condition is set once, exactly
     * one CheckFlapping and one CheckStoppedFlapping Event are written however many flips there were, no health Event
     * for the flips, and the status is written once per change the sidecar reported, no more.
     */
    @Test
    void oneConditionAndOneEventPerEpisodeHoweverManyFlips() {
        await().until(() -> healthOf() == Health.Healthy && events(client, hc, "Healthy").size() == 1);
        settle();
        assertNull(condition(get(client, hc), FlappingCondition.TYPE), "no Flapping condition before a check flaps");

        try (StatusWrites writes = new StatusWrites(client, hc.getMetadata().getNamespace())) {
            sidecar.answer("down", "api:failing:critical:flapping", "cache:ok");
            await().until(() -> healthOf() == Health.Unhealthy);
            HealthCheck flapping = get(client, hc);
            StatusCondition started = condition(flapping, FlappingCondition.TYPE);
            assertEquals("True", started.getStatus());
            assertEquals(FlappingCondition.REASON_FLAPPING, started.getReason());
            assertEquals("api: ", started.getMessage().substring(0, 5));
            assertEquals(flapping.getMetadata().getGeneration(), started.getObservedGeneration());
            assertEquals(Boolean.TRUE, check(flapping, "api").getFlapping());
            assertNull(check(flapping, "cache").getFlapping());

            for (int flip = 1; flip <= FLAPPING_FLIPS; flip++) {
                boolean up = flip % 2 == 1;
                sidecar.answer(up ? "ok" : "down", up ? "api:ok:critical:flapping" : "api:failing:critical:flapping",
                        "cache:ok");
                Health expected = up ? Health.Healthy : Health.Unhealthy;
                await().until(() -> healthOf() == expected);
                assertEquals(started, condition(get(client, hc), FlappingCondition.TYPE),
                        "the condition is set once and stays as it was while the check flaps");
            }

            // It settles passing: the flip back to Healthy comes with the end of the episode.
            sidecar.answer("ok", "api:ok:critical", "cache:ok");
            await().until(() -> "False".equals(condition(get(client, hc), FlappingCondition.TYPE).getStatus()));
            HealthCheck settled = get(client, hc);
            assertEquals(Health.Healthy, settled.getStatus().getHealth());
            assertEquals(FlappingCondition.REASON_STABLE, condition(settled, FlappingCondition.TYPE).getReason());
            assertNull(check(settled, "api").getFlapping());
            await().until(() -> events(client, hc, "CheckStoppedFlapping").size() == 1);
            settle();

            assertEquals(1, events(client, hc, "CheckFlapping").size());
            assertEquals("Warning", events(client, hc, "CheckFlapping").get(0).getType());
            assertEquals(1, events(client, hc, "CheckStoppedFlapping").size());
            assertEquals("check api stopped flapping: passing for a whole flapDetection window; health is Healthy",
                    events(client, hc, "CheckStoppedFlapping").get(0).getNote());
            assertEquals(0, events(client, hc, "Unhealthy").size(), "no Event for a flip of a flapping check");
            assertEquals(1, events(client, hc, "Healthy").size(), "only the one from before the episode");
            // One write when it started, one per flip, one when it ended: nothing written twice.
            assertEquals(1 + FLAPPING_FLIPS + 1, writes.of(hc.getMetadata().getName()).size(),
                    writes.of(hc.getMetadata().getName()).toString());
        }
    }

    /** A few polls that change nothing, so whatever they would write or announce has happened. */
    private void settle() {
        int polls = sidecar.polls();
        await().until(() -> sidecar.polls() >= polls + 3);
    }

    @Test
    void metricsTheDashboardsAndAlertsNeedAreThereFromTheStart() {
        await().until(() -> healthOf() == Health.Healthy);
        // A second poll of the same sidecar gives the first poll round.
        await().until(() -> sample(metrics(), "healthcheck_operator_poll_round_seconds_count{lane=\"answering\",}") >= 1);
        String metrics = metrics();
        // Both lanes, so alerts and dashboards can tell reachable sidecars from unreachable ones (a missing series
        // samples as -1).
        for (String lane : new String[] { "answering", "failing" }) {
            assertTrue(sample(metrics, "healthcheck_operator_poll_round_seconds_count{lane=\"" + lane + "\",}") >= 0,
                    metrics);
            assertTrue(sample(metrics, "healthcheck_operator_poll_overdue_max_seconds{lane=\"" + lane + "\",}") >= 0,
                    metrics);
        }
        assertEquals(1.0, sample(metrics, "healthcheck_operator_leader"), "the only replica polls: it leads");
        assertEquals(0.0, sample(metrics, "healthcheck_operator_reconcile_errors_total"),
                "the error counter exists before any error");
        assertTrue(sample(metrics, "healthcheck_operator_kubernetes_requests_total{code=\"200\",method=\"GET\",}") >= 1,
                metrics);
        assertTrue(sample(metrics, "healthcheck_operator_poll_duration_seconds_bucket{le=\"+Inf\",}") >= 1, metrics);
        assertTrue(metrics.contains("process_cpu_seconds_total "), "CPU time in seconds, under the usual name");
        assertFalse(metrics.contains("process_cpu_time_ns"), "the nanosecond counter is replaced");
        assertFalse(metrics.contains("quantile="), "no summary quantiles inside a histogram family");
        assertFalse(metrics.contains("_active_count"), "no long task timer, a summary no parser reads");
        assertFalse(metrics.contains("\\\""), "no escaped quote in a HELP line: the text format has no such escape");
    }

    private static String metrics() {
        return RestAssured.given().accept("text/plain;version=0.0.4").get("/q/metrics").then().statusCode(200)
                .extract().asString();
    }

    /** The value of the sample whose name and labels are exactly {@code series}; -1 when there is none. */
    private static double sample(String metrics, String series) {
        return metrics.lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim())).orElse(-1.0);
    }

    private Health healthOf() {
        HealthCheck current = get(client, hc);
        return current.getStatus() == null ? null : current.getStatus().getHealth();
    }

    private static CheckStatus check(HealthCheck healthCheck, String name) {
        return healthCheck.getStatus().getChecks().stream().filter(c -> name.equals(c.getName())).findFirst()
                .orElseThrow();
    }
}
