package dev.healthcheckoperator.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.health.CheckReport;
import dev.healthcheckoperator.operator.health.HealthReport;
import dev.healthcheckoperator.operator.testsupport.TestHealthChecks;

/** The reconciler writes only when the next status differs: the same observation later must compare equal. */
class StatusFactoryTest {

    private static final ConditionState READY = new ConditionState("Ready", "True", "SidecarsAvailable", "1 of 1");
    private static final HealthReport DEGRADED = new HealthReport(Health.Degraded, "NonCriticalChecksFailing",
            "failing: cache", List.of(new CheckReport("api", true, "Passing", null),
                    new CheckReport("cache", false, "Timeout", "no answer in 2s")));

    @Test
    void theSameObservationLaterIsTheSameStatus() {
        HealthCheck hc = healthCheck();
        HealthCheckStatus first = StatusFactory.next(hc, new HealthCheckStatus(), READY, 1, DEGRADED,
                "2026-01-01T00:00:00Z");

        HealthCheckStatus later = StatusFactory.next(hc, first, READY, 1, DEGRADED, "2026-01-01T01:00:00Z");

        assertEquals(first, later);
    }

    @Test
    void onlyTheCheckThatFlippedGetsANewTransitionTime() {
        HealthCheck hc = healthCheck();
        HealthCheckStatus first = StatusFactory.next(hc, new HealthCheckStatus(), READY, 1, DEGRADED,
                "2026-01-01T00:00:00Z");
        HealthReport recovered = new HealthReport(Health.Healthy, "AllChecksPassing", "all checks pass",
                List.of(new CheckReport("api", true, "Passing", null), new CheckReport("cache", true, "Passing", null)));

        HealthCheckStatus next = StatusFactory.next(hc, first, READY, 1, recovered, "2026-01-01T01:00:00Z");

        assertNotEquals(first, next);
        assertEquals("2026-01-01T00:00:00Z", next.getChecks().get(0).getLastTransitionTime());
        assertEquals("2026-01-01T01:00:00Z", next.getChecks().get(1).getLastTransitionTime());
        assertEquals("2026-01-01T00:00:00Z", next.condition("Ready").orElseThrow().getLastTransitionTime());
        assertEquals("2026-01-01T01:00:00Z", next.condition("Healthy").orElseThrow().getLastTransitionTime());
        assertEquals(7L, next.getObservedGeneration());
    }

    @Test
    void aHeldHealthKeepsTheVerdictAndItsGenerationOrStartsUnknown() {
        HealthCheck hc = healthCheck();
        HealthCheckStatus healthy = StatusFactory.next(hc, new HealthCheckStatus(), READY, 1, DEGRADED,
                "2026-01-01T00:00:00Z");
        hc.getMetadata().setGeneration(8L);
        ConditionState rolling = new ConditionState("Ready", "False", "SidecarsProgressing", "0 of 1 updated");

        HealthCheckStatus held = StatusFactory.holdingHealth(hc, healthy, rolling, 1,
                HealthReport.unknown("Pending", "x"), "2026-01-01T01:00:00Z");

        assertEquals(Health.Degraded, held.getHealth());
        assertEquals(healthy.getChecks(), held.getChecks());
        assertEquals(7L, held.condition("Healthy").orElseThrow().getObservedGeneration());
        assertEquals(8L, held.condition("Ready").orElseThrow().getObservedGeneration());
        assertEquals(8L, held.getObservedGeneration());

        HealthCheckStatus fresh = StatusFactory.holdingHealth(hc, new HealthCheckStatus(), rolling, 0,
                HealthReport.unknown("Pending", "x"), "2026-01-01T01:00:00Z");
        assertEquals(Health.Unknown, fresh.getHealth());
        assertEquals("Pending", fresh.condition("Healthy").orElseThrow().getReason());
    }

    private static HealthCheck healthCheck() {
        HealthCheck hc = TestHealthChecks.healthCheck("shop", "checkout", 8080,
                TestHealthChecks.tcpCheck("db", "postgres.shop.svc", 5432, false));
        hc.getMetadata().setGeneration(7L);
        return hc;
    }
}
