package dev.healthcheckoperator.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.health.HealthReport;

class TransitionTest {

    private static final ConditionState AVAILABLE = new ConditionState("Ready", "True", "SidecarsAvailable", "1 of 1");
    private static final ConditionState PROGRESSING = new ConditionState("Ready", "False", "SidecarsProgressing",
            "0 of 1");

    @Test
    void aNewHealthCheckThatIsNotReadyYetIsNoNews() {
        assertEquals(List.of(), Transition.between(new HealthCheckStatus(), status(PROGRESSING, Health.Unknown)));
    }

    @Test
    void becomingAvailableWithTheFirstVerdictIsOneEventTheVerdicts() {
        assertEquals(List.of(new Transition("Normal", "Healthy", "all good")),
                Transition.between(status(PROGRESSING, Health.Unknown), status(AVAILABLE, Health.Healthy)));
        assertEquals(List.of(new Transition("Normal", "Healthy", "all good")),
                Transition.between(new HealthCheckStatus(), status(AVAILABLE, Health.Healthy)));
    }

    @Test
    void becomingAvailableWithoutAVerdictIsAnnounced() {
        assertEquals(List.of(new Transition("Normal", "SidecarsAvailable", "1 of 1")),
                Transition.between(status(PROGRESSING, Health.Unknown), status(AVAILABLE, Health.Unknown)));
    }

    @Test
    void becomingAvailableAfterARolloutOfHealthySidecarsIsAnnounced() {
        assertEquals(List.of(new Transition("Normal", "SidecarsAvailable", "1 of 1")),
                Transition.between(status(PROGRESSING, Health.Healthy), status(AVAILABLE, Health.Healthy)));
    }

    @Test
    void recoveringFromAWarningIsAnnouncedEvenWithTheFirstVerdict() {
        ConditionState unavailable = new ConditionState("Ready", "False", "SidecarsUnavailable", "0 of 1");
        assertEquals(List.of(new Transition("Normal", "SidecarsAvailable", "1 of 1"),
                new Transition("Normal", "Healthy", "all good")),
                Transition.between(status(unavailable, Health.Unknown), status(AVAILABLE, Health.Healthy)));
    }

    @Test
    void aRolloutOfRunningSidecarsIsNormalNews() {
        assertEquals(List.of(new Transition("Normal", "SidecarsProgressing", "0 of 1")),
                Transition.between(status(AVAILABLE, Health.Unknown), status(PROGRESSING, Health.Unknown)));
    }

    @Test
    void losingAvailabilityAfterARolloutIsAWarning() {
        ConditionState unavailable = new ConditionState("Ready", "False", "SidecarsUnavailable", "0 of 1");
        assertEquals(List.of(new Transition("Warning", "SidecarsUnavailable", "0 of 1")),
                Transition.between(status(AVAILABLE, Health.Unknown), status(unavailable, Health.Unknown)));
    }

    @Test
    void everyReasonThatNeedsActionIsAWarningWithThatReason() {
        for (ConditionState failure : List.of(ReadyCondition.reconcileError("quota"),
                ReadyCondition.nameConflict("taken"),
                new ConditionState("Ready", "False", ReadyCondition.REASON_ROLLOUT_FAILED, "deadline"),
                new ConditionState("Ready", "False", ReadyCondition.REASON_IMAGE_PULL_FAILED, "pull"),
                new ConditionState("Ready", "False", ReadyCondition.REASON_CRASH_LOOPING, "crash"))) {
            assertEquals(List.of(new Transition("Warning", failure.reason(), failure.message())),
                    Transition.between(status(PROGRESSING, Health.Unknown), status(failure, Health.Unknown)));
            assertEquals("Reconcile", new Transition("Warning", failure.reason(), "").action());
        }
        assertEquals("Poll", new Transition("Warning", "Unhealthy", "").action());
    }

    @Test
    void aReasonTheSchemaWouldRefuseIsReplacedAndALongMessageCut() {
        ConditionState odd = new ConditionState("Healthy", "Unknown", "not a reason!", "x".repeat(100_000));
        assertEquals("Unknown", odd.reason());
        assertEquals(ConditionState.MAX_MESSAGE_LENGTH, odd.message().length());
    }

    @Test
    void anInvalidSpecIsAWarningOnce() {
        ConditionState invalid = ReadyCondition.invalidSpec("metadata.name: too long");
        assertEquals(List.of(new Transition("Warning", "InvalidSpec", "metadata.name: too long")),
                Transition.between(new HealthCheckStatus(), status(invalid, Health.Unknown)));
        assertEquals(List.of(), Transition.between(status(invalid, Health.Unknown), status(invalid, Health.Unknown)));
    }

    @Test
    void eachHealthChangeHasItsReason() {
        assertEquals("Degraded", healthEvent(Health.Healthy, Health.Degraded).reason());
        assertEquals("Unhealthy", healthEvent(Health.Degraded, Health.Unhealthy).reason());
        assertEquals("HealthUnknown", healthEvent(Health.Unhealthy, Health.Unknown).reason());
        assertEquals("Warning", healthEvent(Health.Healthy, Health.Unhealthy).type());
        assertEquals(List.of(), Transition.between(status(AVAILABLE, Health.Degraded),
                status(AVAILABLE, Health.Degraded)));
    }

    @Test
    void aConditionKeepsItsTransitionTimeWhileItsStatusStays() {
        var first = AVAILABLE.toCondition(null, 1L, "2026-01-01T00:00:00Z");
        var sameStatusNewMessage = new ConditionState("Ready", "True", "SidecarsAvailable", "2 of 2")
                .toCondition(List.of(first), 2L, "2026-01-01T00:05:00Z");
        assertEquals("2026-01-01T00:00:00Z", sameStatusNewMessage.getLastTransitionTime());
        assertEquals(2L, sameStatusNewMessage.getObservedGeneration());
        var flipped = PROGRESSING.toCondition(List.of(sameStatusNewMessage), 2L, "2026-01-01T00:09:00Z");
        assertEquals("2026-01-01T00:09:00Z", flipped.getLastTransitionTime());
    }

    private static Transition healthEvent(Health before, Health after) {
        List<Transition> transitions = Transition.between(status(AVAILABLE, before), status(AVAILABLE, after));
        assertEquals(1, transitions.size(), transitions.toString());
        return transitions.get(0);
    }

    private static HealthCheckStatus status(ConditionState ready, Health health) {
        HealthCheckStatus status = new HealthCheckStatus();
        status.setHealth(health);
        HealthReport report = new HealthReport(health, "Reason", health == Health.Healthy ? "all good" : "x",
                List.of());
        status.setConditions(List.of(ready.toCondition(null, 1L, "2026-01-01T00:00:00Z"),
                HealthyCondition.of(report).toCondition(null, 1L, "2026-01-01T00:00:00Z")));
        return status;
    }
}
