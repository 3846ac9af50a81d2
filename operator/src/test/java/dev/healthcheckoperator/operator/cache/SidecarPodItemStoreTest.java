package dev.healthcheckoperator.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.reconciler.ReadyCondition;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

class SidecarPodItemStoreTest {

    /** A Deployment whose rollout does not finish: Ready then reads the pods to say why. */
    private static final Deployment ROLLING = new DeploymentBuilder().withNewMetadata().withName("checkout-healthcheck")
            .withGeneration(1L).endMetadata().withNewSpec().withReplicas(1).endSpec().withNewStatus()
            .withObservedGeneration(1L).withReplicas(1).withUpdatedReplicas(1).withAvailableReplicas(0).endStatus()
            .build();

    /** A sidecar pod as the API server serves it, with the defaults and fields the operator never reads. */
    private static Pod servedPod(String name, String waitingReason, String deletionTimestamp) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").withUid("uid-" + name)
                .withResourceVersion("42").withGenerateName("checkout-healthcheck-5d9c-")
                .withLabels(Map.of("app.kubernetes.io/instance", "checkout"))
                .withAnnotations(Map.of("kubectl.kubernetes.io/restartedAt", "2026-12-01T10:00:00Z"))
                .withDeletionTimestamp(deletionTimestamp)
                .addNewOwnerReference().withKind("ReplicaSet").withName("checkout-healthcheck-5d9c").withUid("rs")
                .withApiVersion("apps/v1").withController(true).endOwnerReference()
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubelet").withOperation("Update")
                        .build())
                .endMetadata()
                .withNewSpec().addNewContainer().withName("sidecar").withImage("registry/sidecar:1")
                .addNewEnv().withName("SIDECAR_PORT").withValue("8080").endEnv().endContainer()
                .withNodeName("node-1").endSpec()
                .withNewStatus().withPhase("Pending").withHostIP("10.0.0.1").withPodIP("10.244.0.7")
                .addNewCondition().withType("Ready").withStatus("False").endCondition()
                .addNewContainerStatus().withName("sidecar").withImage("registry/sidecar:1").withImageID("sha256:1")
                .withContainerID("containerd://1").withRestartCount(3).withReady(false).withStarted(false)
                .withNewState().withNewWaiting().withReason(waitingReason).withMessage("back-off").endWaiting()
                .endState().withNewLastState().withNewTerminated().withExitCode(1).endTerminated().endLastState()
                .endContainerStatus().endStatus().build();
    }

    private static Pod stored(Pod pod) {
        SidecarPodItemStore store = new SidecarPodItemStore();
        store.put("shop/" + pod.getMetadata().getName(), pod);
        return store.get("shop/" + pod.getMetadata().getName());
    }

    @Test
    void theOperatorReadsTheSameOfAStoredPodAsOfTheServedOne() {
        for (String reason : List.of("ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff", "ContainerCreating")) {
            Pod served = servedPod("a", reason, null);
            Pod copy = Serialization.clone(served);
            assertEquals(ReadyCondition.of(ROLLING, List.of(served)), ReadyCondition.of(ROLLING, List.of(stored(copy))),
                    reason);
        }
        // A pod being deleted says nothing, stored or not.
        Pod deleting = servedPod("b", "CrashLoopBackOff", "2026-12-01T10:00:00Z");
        assertEquals(ReadyCondition.of(ROLLING, List.of(Serialization.clone(deleting))),
                ReadyCondition.of(ROLLING, List.of(stored(deleting))));
    }

    @Test
    void aStoredPodKeepsItsIdentityAndNothingElse() {
        Pod pod = stored(servedPod("a", "CrashLoopBackOff", null));
        assertEquals("a", pod.getMetadata().getName());
        assertEquals("shop", pod.getMetadata().getNamespace());
        assertEquals("uid-a", pod.getMetadata().getUid());
        assertEquals("42", pod.getMetadata().getResourceVersion());
        // What maps the pod to its HealthCheck (HealthCheckReconciler's secondary-to-primary mapper).
        assertEquals("checkout", pod.getMetadata().getLabels().get("app.kubernetes.io/instance"));
        assertEquals("ReplicaSet", pod.getMetadata().getOwnerReferences().get(0).getKind());
        assertNoneOf(pod.getMetadata().getManagedFields());
        assertTrue(pod.getMetadata().getAnnotations() == null || pod.getMetadata().getAnnotations().isEmpty());
        assertNull(pod.getSpec());
        assertNoneOf(pod.getStatus().getConditions());
        assertNull(pod.getStatus().getPodIP());
        assertNull(pod.getStatus().getContainerStatuses().get(0).getLastState());
        assertNull(pod.getStatus().getContainerStatuses().get(0).getImageID());
        assertEquals(3, pod.getStatus().getContainerStatuses().get(0).getRestartCount());
    }

    private static void assertNoneOf(List<?> list) {
        assertTrue(list == null || list.isEmpty(), String.valueOf(list));
    }

    @Test
    void aPodWithoutStatusIsStored() {
        Pod pod = new PodBuilder().withNewMetadata().withName("new").withNamespace("shop").endMetadata()
                .withNewSpec().withNodeName("node-1").endSpec().build();
        assertNull(stored(pod).getStatus());
        assertNull(stored(pod).getSpec());
    }
}
