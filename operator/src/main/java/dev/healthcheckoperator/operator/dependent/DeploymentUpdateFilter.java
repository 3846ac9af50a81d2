package dev.healthcheckoperator.operator.dependent;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;

/**
 * Passes an update of a sidecar Deployment on to the reconciler only when it can change what the reconciler does:
 * a change of the spec (its generation: drift to repair), of the metadata the operator sets or that decides
 * ownership, or of a status field that ReadyCondition reads. The Deployment controller writes a Deployment's status
 * several times per rollout, and some of those writes change nothing of that (unavailableReplicas, a condition's
 * lastUpdateTime, the message of a Progressing condition that is not a failure): with thousands of HealthChecks,
 * each would be a reconciliation that finds nothing to do. The informer's cache still holds every update.
 */
public class DeploymentUpdateFilter implements OnUpdateFilter<Deployment> {

    private static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";

    @Override
    public boolean accept(Deployment updated, Deployment old) {
        return !metadataView(updated.getMetadata()).equals(metadataView(old.getMetadata()))
                || !statusView(updated.getStatus()).equals(statusView(old.getStatus()));
    }

    private record MetadataView(Long generation, Map<String, String> labels, Map<String, String> annotations,
            List<OwnerReference> ownerReferences, String deletionTimestamp) {
    }

    private static MetadataView metadataView(ObjectMeta metadata) {
        return new MetadataView(metadata.getGeneration(), metadata.getLabels(), metadata.getAnnotations(),
                metadata.getOwnerReferences(), metadata.getDeletionTimestamp());
    }

    /** What ReadyCondition and the readyReplicas of the status read, and nothing else. */
    private record StatusView(Long observedGeneration, Integer replicas, Integer updatedReplicas,
            Integer availableReplicas, Integer readyReplicas, String progressingStatus, String progressingReason,
            String failureMessage) {
    }

    private static StatusView statusView(DeploymentStatus status) {
        if (status == null) {
            return new StatusView(null, null, null, null, null, null, null, null);
        }
        Optional<DeploymentCondition> progressing = status.getConditions() == null ? Optional.empty()
                : status.getConditions().stream().filter(c -> "Progressing".equals(c.getType())).findFirst();
        String reason = progressing.map(DeploymentCondition::getReason).orElse(null);
        return new StatusView(status.getObservedGeneration(), status.getReplicas(), status.getUpdatedReplicas(),
                status.getAvailableReplicas(), status.getReadyReplicas(),
                progressing.map(DeploymentCondition::getStatus).orElse(null), reason,
                Objects.equals(PROGRESS_DEADLINE_EXCEEDED, reason)
                        ? progressing.map(DeploymentCondition::getMessage).orElse(null) : null);
    }
}
