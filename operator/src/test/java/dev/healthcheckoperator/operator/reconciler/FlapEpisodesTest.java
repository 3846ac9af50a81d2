package dev.healthcheckoperator.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.StatusCondition;
import dev.healthcheckoperator.operator.health.CheckReport;
import dev.healthcheckoperator.operator.health.HealthReport;
import dev.healthcheckoperator.operator.testsupport.TestHealthChecks;

/**
 * A flapping episode, poll by poll, as the reconciler sees it: statuses from {@link StatusFactory}, Events from
 * {@link Transition#between}. One CheckFlapping when it starts, none per flip, one CheckStoppedFlapping at the end.
 */
class FlapEpisodesTest {

    private static final ConditionState READY = new ConditionState("Ready", "True", "SidecarsAvailable", "1 of 1");

    private HealthCheck hc;
    private HealthCheckStatus status;
    private int minute;

    @BeforeEach
    void healthy() {
        hc = TestHealthChecks.healthCheck("shop", "checkout", 8080,
                TestHealthChecks.tcpCheck("api", "api.shop.svc", 80, true));
        hc.getMetadata().setGeneration(3L);
        status = new HealthCheckStatus();
        poll(report(api(true, false), cache(true)));
    }

    @Test
    void oneEventWhenItStartsNoneWhileItFlipsOneWhenItSettles() {
        assertEquals(List.of(new Transition("Warning", "CheckFlapping", "check api is flapping: its state changes "
                + "more often than its flapDetection allows; Events about the health it causes are held until it "
                + "settles")), poll(report(api(false, true), cache(true))), "the flip that starts it is not announced");
        StatusCondition flapping = status.condition(FlappingCondition.TYPE).orElseThrow();
        assertEquals("True", flapping.getStatus());
        assertEquals("ChecksFlapping", flapping.getReason());
        assertTrue(flapping.getMessage().startsWith("api: "), flapping.getMessage());
        assertEquals(3L, flapping.getObservedGeneration());
        assertEquals(Boolean.TRUE, status.getChecks().get(0).getFlapping());
        assertNull(status.getChecks().get(1).getFlapping(), "written only while true");

        for (int flip = 0; flip < 6; flip++) {
            assertEquals(List.of(), poll(report(api(flip % 2 == 0, true), cache(true))));
            assertEquals(flapping.getLastTransitionTime(),
                    status.condition(FlappingCondition.TYPE).orElseThrow().getLastTransitionTime(), "set once");
        }

        assertEquals(List.of(new Transition("Normal", "CheckStoppedFlapping",
                "check api stopped flapping: failing for a whole flapDetection window; health is Unhealthy")),
                poll(report(api(false, false), cache(true))), "the last flip, seen with the end, is not announced");
        StatusCondition settled = status.condition(FlappingCondition.TYPE).orElseThrow();
        assertEquals("False", settled.getStatus());
        assertEquals("NoChecksFlapping", settled.getReason());
        assertNull(status.getChecks().get(0).getFlapping());

        // From then on, a change of health is news again.
        assertEquals(List.of(new Transition("Normal", "Healthy", "all checks pass")),
                poll(report(api(true, false), cache(true))));
        assertEquals(List.of(), poll(report(api(true, false), cache(true))));
    }

    @Test
    void aCheckThatDoesNotFlapStillHasItsHealthAnnounced() {
        poll(report(api(true, true), cache(true)));
        List<Transition> transitions = poll(report(api(true, true), cache(false)));
        assertEquals(List.of("Degraded"), transitions.stream().map(Transition::reason).toList());
    }

    @Test
    void anUnreachableSidecarInTheMiddleOfAnEpisodeStartsNoSecondOne() {
        poll(report(api(false, true), cache(true)));
        List<Transition> unreachable = poll(HealthReport.unknown(HealthReport.REASON_UNREACHABLE, "no answer"));
        assertEquals(List.of("HealthUnknown"), unreachable.stream().map(Transition::reason).toList());
        assertEquals("True", status.condition(FlappingCondition.TYPE).orElseThrow().getStatus(),
                "held while nothing is decided");

        List<Transition> back = poll(report(api(true, true), cache(true)));
        assertEquals(List.of("Healthy"), back.stream().map(Transition::reason).toList(),
                "back from Unknown is news; the episode goes on without a second CheckFlapping");
    }

    @Test
    void aHealthCheckThatNeverFlappedHasNoFlappingCondition() {
        poll(report(api(false, false), cache(true)));
        assertTrue(status.condition(FlappingCondition.TYPE).isEmpty());
        assertEquals(2, status.getConditions().size());
    }

    @Test
    void aHeldHealthKeepsTheFlappingCondition() {
        poll(report(api(false, true), cache(true)));
        HealthCheckStatus held = StatusFactory.holdingHealth(hc, status,
                new ConditionState("Ready", "False", "SidecarsProgressing", "0 of 1"), 1,
                HealthReport.unknown("Pending", "x"), "2026-01-01T02:00:00Z");
        assertEquals(status.condition(FlappingCondition.TYPE), held.condition(FlappingCondition.TYPE));
    }

    /** Polls once: the next status from this report, and the Events its change calls for. */
    private List<Transition> poll(HealthReport report) {
        HealthCheckStatus next = StatusFactory.next(hc, status, READY, 1, report,
                "2026-01-01T00:%02d:00Z".formatted(minute++));
        List<Transition> transitions = Transition.between(status, next);
        status = next;
        return transitions;
    }

    private static CheckReport api(boolean healthy, boolean flapping) {
        return new CheckReport("api", healthy, healthy ? "Passing" : "UnexpectedStatus",
                healthy ? null : "HTTP 500", flapping);
    }

    private static CheckReport cache(boolean healthy) {
        return new CheckReport("cache", healthy, healthy ? "Passing" : "Timeout", healthy ? null : "no answer");
    }

    /** What the sidecar's verdict would be: api is critical, cache is not. */
    private static HealthReport report(CheckReport api, CheckReport cache) {
        if (!api.healthy()) {
            return new HealthReport(Health.Unhealthy, "CriticalChecksFailing", "failing: api", List.of(api, cache));
        }
        if (!cache.healthy()) {
            return new HealthReport(Health.Degraded, "NonCriticalChecksFailing", "failing: cache",
                    List.of(api, cache));
        }
        return new HealthReport(Health.Healthy, "AllChecksPassing", "all checks pass", List.of(api, cache));
    }
}
