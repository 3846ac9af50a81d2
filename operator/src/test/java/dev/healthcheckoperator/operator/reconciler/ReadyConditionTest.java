package dev.healthcheckoperator.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;

/** Ready as `kubectl rollout status` sees a Deployment; the API-server cases are in RolloutStatusTest. */
class ReadyConditionTest {

    @Test
    void rolledOutWhenObservedUpdatedAndAvailable() {
        ConditionState ready = ReadyCondition.of(deployment(2, 3, status(2, 3, 3, 3, 3)), List.of());
        assertEquals("True", ready.status());
        assertEquals(ReadyCondition.REASON_AVAILABLE, ready.reason());
    }

    @Test
    void anUnobservedGenerationIsProgressingWhateverTheCounts() {
        ConditionState ready = ReadyCondition.of(deployment(3, 1, status(2, 1, 1, 1, 1)), List.of());
        assertEquals("False", ready.status());
        assertEquals(ReadyCondition.REASON_PROGRESSING, ready.reason());
        assertTrue(ready.message().contains("generation 3"), ready.message());
    }

    @Test
    void oldPodsAvailableNewOnesNotIsProgressing() {
        // Rolling update of 2: both old pods still available, one new pod created and not yet available.
        ConditionState ready = ReadyCondition.of(deployment(2, 2, status(2, 3, 1, 2, 2)), List.of());
        assertEquals(ReadyCondition.REASON_PROGRESSING, ready.reason());
        assertEquals("1 of 2 sidecar replicas updated", ready.message());

        ConditionState draining = ReadyCondition.of(deployment(2, 2, status(2, 3, 2, 3, 3)), List.of());
        assertEquals(ReadyCondition.REASON_PROGRESSING, draining.reason());
        assertEquals("1 old sidecar replicas pending termination", draining.message());

        ConditionState waiting = ReadyCondition.of(deployment(2, 2, status(2, 2, 2, 1, 1)), List.of());
        assertEquals(ReadyCondition.REASON_PROGRESSING, waiting.reason());
        assertEquals("1 of 2 updated sidecar replicas available", waiting.message());
    }

    @Test
    void aPassedProgressDeadlineIsAFailedRollout() {
        DeploymentStatus status = status(2, 2, 1, 1, 1);
        status.setConditions(List.of(new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
                .withReason("ProgressDeadlineExceeded")
                .withMessage("ReplicaSet \"x-healthcheck-1\" has timed out progressing.").build()));
        ConditionState ready = ReadyCondition.of(deployment(2, 1, status), List.of());
        assertEquals("False", ready.status());
        assertEquals(ReadyCondition.REASON_ROLLOUT_FAILED, ready.reason());
        assertTrue(ready.message().contains("has timed out progressing"), ready.message());
    }

    @Test
    void podsThatCannotStartSayWhy() {
        Deployment rolling = deployment(1, 1, status(1, 1, 1, 0, 0));
        ConditionState pull = ReadyCondition.of(rolling, List.of(pod("b", "ImagePullBackOff", "Back-off pulling"),
                pod("a", "ErrImagePull", "not found")));
        assertEquals(ReadyCondition.REASON_IMAGE_PULL_FAILED, pull.reason());
        assertEquals("pod a, container sidecar: ErrImagePull for image evil:1: not found", pull.message());

        ConditionState crash = ReadyCondition.of(rolling, List.of(pod("a", "CrashLoopBackOff", "back-off 5m0s")));
        assertEquals(ReadyCondition.REASON_CRASH_LOOPING, crash.reason());
        assertTrue(crash.message().startsWith("pod a, container sidecar: restarted 4 times"), crash.message());

        ConditionState creating = ReadyCondition.of(rolling, List.of(pod("a", "ContainerCreating", null)));
        assertEquals(ReadyCondition.REASON_PROGRESSING, creating.reason());
    }

    @Test
    void aPodLostAfterTheRolloutIsUnavailable() {
        DeploymentStatus status = status(1, 1, 1, 0, 0);
        status.setConditions(List.of(new DeploymentConditionBuilder().withType("Progressing").withStatus("True")
                .withReason("NewReplicaSetAvailable").build()));
        assertEquals(ReadyCondition.REASON_UNAVAILABLE, ReadyCondition.of(deployment(1, 1, status), List.of())
                .reason());
        assertEquals(ReadyCondition.REASON_PROGRESSING, ReadyCondition.of(null, List.of()).reason());
    }

    private static Deployment deployment(long generation, int replicas, DeploymentStatus status) {
        return new DeploymentBuilder().withNewMetadata().withName("x-healthcheck").withGeneration(generation)
                .endMetadata().withNewSpec().withReplicas(replicas).endSpec().withStatus(status).build();
    }

    private static DeploymentStatus status(long observedGeneration, int replicas, int updated, int ready,
            int available) {
        return new DeploymentStatusBuilder().withObservedGeneration(observedGeneration).withReplicas(replicas)
                .withUpdatedReplicas(updated).withReadyReplicas(ready).withAvailableReplicas(available).build();
    }

    private static Pod pod(String name, String waitingReason, String message) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus()
                .withContainerStatuses(new ContainerStatusBuilder().withName("sidecar").withImage("evil:1")
                        .withRestartCount(4).withReady(false).withNewState().withNewWaiting()
                        .withReason(waitingReason).withMessage(message).endWaiting().endState().build())
                .endStatus().build();
    }
}
