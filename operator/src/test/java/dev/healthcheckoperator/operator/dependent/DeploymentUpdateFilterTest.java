package dev.healthcheckoperator.operator.dependent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;

/**
 * Which Deployment updates reach the reconciler. What the reconciler then makes of those that pass is covered against
 * the API server (RolloutStatusTest, HealthCheckReconcilerTest, with this filter in place); here, that an update
 * of a field the reconciler reads always passes, and only those of fields it never reads are held back.
 */
class DeploymentUpdateFilterTest {

    final DeploymentUpdateFilter filter = new DeploymentUpdateFilter();

    @Test
    void statusWritesThatChangeNothingReadyReadsAreHeldBack() {
        assertFalse(passes(d -> d.getStatus().setUnavailableReplicas(0)));
        assertFalse(passes(d -> d.getStatus().setCollisionCount(1)));
        assertFalse(passes(d -> d.getMetadata().setResourceVersion("43")));
        assertFalse(passes(d -> progressing(d).setLastUpdateTime("2026-01-01T00:05:00Z")));
        assertFalse(passes(d -> progressing(d).setMessage("ReplicaSet \"x\" is progressing.")),
                "the message of a Progressing condition that is no failure is not shown");
    }

    @Test
    void everyFieldReadyReadsPasses() {
        assertTrue(passes(d -> d.getStatus().setObservedGeneration(3L)));
        assertTrue(passes(d -> d.getStatus().setReplicas(2)));
        assertTrue(passes(d -> d.getStatus().setUpdatedReplicas(0)));
        assertTrue(passes(d -> d.getStatus().setAvailableReplicas(0)));
        assertTrue(passes(d -> d.getStatus().setReadyReplicas(0)));
        assertTrue(passes(d -> progressing(d).setReason("ReplicaSetUpdated")));
        assertTrue(passes(d -> progressing(d).setStatus("False")));
        assertTrue(passes(d -> d.setStatus(null)));
    }

    @Test
    void aFailedRolloutsMessagePasses() {
        Deployment failed = deployment();
        progressing(failed).setStatus("False");
        progressing(failed).setReason("ProgressDeadlineExceeded");
        progressing(failed).setMessage("ReplicaSet \"x\" has timed out progressing.");
        Deployment later = deployment();
        progressing(later).setStatus("False");
        progressing(later).setReason("ProgressDeadlineExceeded");
        progressing(later).setMessage("ReplicaSet \"y\" has timed out progressing.");
        assertTrue(filter.accept(later, failed));
    }

    @Test
    void specAndMetadataChangesPassSoThatDriftIsRepaired() {
        assertTrue(passes(d -> d.getMetadata().setGeneration(3L)));
        assertTrue(passes(d -> d.getMetadata().getLabels().remove("app.kubernetes.io/managed-by")));
        assertTrue(passes(d -> d.getMetadata().getAnnotations().put("someone", "else")));
        assertTrue(passes(d -> d.getMetadata().setOwnerReferences(java.util.List.of())));
        assertTrue(passes(d -> d.getMetadata().setDeletionTimestamp("2026-01-01T00:10:00Z")));
    }

    private boolean passes(Consumer<Deployment> change) {
        Deployment old = deployment();
        Deployment updated = deployment();
        change.accept(updated);
        return filter.accept(updated, old);
    }

    private static DeploymentCondition progressing(Deployment deployment) {
        return deployment.getStatus().getConditions().stream().filter(c -> "Progressing".equals(c.getType()))
                .findFirst().orElseThrow();
    }

    /** A rolled-out sidecar Deployment, as the Deployment controller leaves it; a new copy each time. */
    private static Deployment deployment() {
        return new DeploymentBuilder()
                .withNewMetadata().withName("shop-healthcheck").withNamespace("shop").withGeneration(2L)
                .withResourceVersion("42")
                .addToLabels("app.kubernetes.io/managed-by", "healthcheck-operator")
                .addToAnnotations("deployment.kubernetes.io/revision", "2")
                .addNewOwnerReference().withKind("HealthCheck").withName("shop").withUid("u-1").withController(true)
                .endOwnerReference()
                .endMetadata()
                .withNewSpec().withReplicas(1).endSpec()
                .withNewStatus().withObservedGeneration(2L).withReplicas(1).withUpdatedReplicas(1)
                .withAvailableReplicas(1).withReadyReplicas(1)
                .withConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("True")
                        .withReason("NewReplicaSetAvailable").withMessage("ReplicaSet \"x\" has successfully progressed.")
                        .withLastUpdateTime("2026-01-01T00:00:00Z").build(),
                        new DeploymentConditionBuilder().withType("Available").withStatus("True")
                                .withReason("MinimumReplicasAvailable").build())
                .endStatus()
                .build();
    }
}
