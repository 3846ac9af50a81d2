package dev.healthcheckoperator.operator.reconciler;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;

/**
 * Ready: True exactly when {@code kubectl rollout status} would say the sidecar Deployment is rolled out: the
 * Deployment controller has observed its latest generation, every desired replica runs the current pod template, no
 * old replica is left, and every updated replica is available. Otherwise False, with the reason a user acts on.
 */
public final class ReadyCondition {

    public static final String TYPE = "Ready";
    public static final String REASON_AVAILABLE = "SidecarsAvailable";
    public static final String REASON_PROGRESSING = "SidecarsProgressing";
    /** Rolled out, but pods were lost since (a node went away, a sidecar fails its readiness probe). */
    public static final String REASON_UNAVAILABLE = "SidecarsUnavailable";
    public static final String REASON_ROLLOUT_FAILED = "RolloutFailed";
    public static final String REASON_IMAGE_PULL_FAILED = "ImagePullFailed";
    public static final String REASON_CRASH_LOOPING = "SidecarCrashLooping";
    public static final String REASON_INVALID_SPEC = "InvalidSpec";
    public static final String REASON_RECONCILE_ERROR = "ReconcileError";
    public static final String REASON_NAME_CONFLICT = "NameConflict";

    private static final Set<String> IMAGE_PULL_FAILURES = Set.of("ErrImagePull", "ImagePullBackOff",
            "InvalidImageName", "ErrImageNeverPull");
    private static final String CRASH_LOOP = "CrashLoopBackOff";

    private ReadyCondition() {
    }

    /**
     * @param deployment the sidecar Deployment as last seen, or null
     * @param pods the sidecar pods of this HealthCheck, to explain a rollout that does not finish
     */
    public static ConditionState of(Deployment deployment, Collection<Pod> pods) {
        if (deployment == null) {
            return progressing("the sidecar Deployment is being created");
        }
        long generation = deployment.getMetadata().getGeneration() == null ? 0
                : deployment.getMetadata().getGeneration();
        DeploymentStatus status = deployment.getStatus();
        if (status == null || status.getObservedGeneration() == null || status.getObservedGeneration() < generation) {
            return progressing("waiting for the Deployment controller to observe generation " + generation);
        }
        Optional<DeploymentCondition> deadline = deploymentCondition(status, "Progressing")
                .filter(c -> "False".equals(c.getStatus()) && "ProgressDeadlineExceeded".equals(c.getReason()));
        if (deadline.isPresent()) {
            return new ConditionState(TYPE, ConditionState.FALSE, REASON_ROLLOUT_FAILED,
                    "the rollout exceeded its progress deadline: " + deadline.get().getMessage());
        }
        int desired = deployment.getSpec() == null || deployment.getSpec().getReplicas() == null ? 1
                : deployment.getSpec().getReplicas();
        int updated = orZero(status.getUpdatedReplicas());
        int total = orZero(status.getReplicas());
        int available = orZero(status.getAvailableReplicas());
        if (updated >= desired && total <= updated && available >= updated) {
            return new ConditionState(TYPE, ConditionState.TRUE, REASON_AVAILABLE,
                    available + " of " + desired + " sidecar replicas updated and available");
        }
        Optional<ConditionState> podProblem = podProblem(pods);
        if (podProblem.isPresent()) {
            return podProblem.get();
        }
        if (updated < desired) {
            return progressing(updated + " of " + desired + " sidecar replicas updated");
        }
        if (total > updated) {
            return progressing((total - updated) + " old sidecar replicas pending termination");
        }
        String availableMessage = available + " of " + updated + " updated sidecar replicas available";
        boolean rolledOut = deploymentCondition(status, "Progressing")
                .filter(c -> "NewReplicaSetAvailable".equals(c.getReason())).isPresent();
        return rolledOut ? new ConditionState(TYPE, ConditionState.FALSE, REASON_UNAVAILABLE, availableMessage)
                : progressing(availableMessage);
    }

    public static ConditionState invalidSpec(String message) {
        return new ConditionState(TYPE, ConditionState.FALSE, REASON_INVALID_SPEC, message);
    }

    public static ConditionState reconcileError(String message) {
        return new ConditionState(TYPE, ConditionState.FALSE, REASON_RECONCILE_ERROR, message);
    }

    public static ConditionState nameConflict(String message) {
        return new ConditionState(TYPE, ConditionState.FALSE, REASON_NAME_CONFLICT, message);
    }

    private static ConditionState progressing(String message) {
        return new ConditionState(TYPE, ConditionState.FALSE, REASON_PROGRESSING, message);
    }

    private static Optional<DeploymentCondition> deploymentCondition(DeploymentStatus status, String type) {
        return status.getConditions() == null ? Optional.empty()
                : status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /** The first pod (by name, so the message is stable) whose sidecar cannot start, and why. */
    private static Optional<ConditionState> podProblem(Collection<Pod> pods) {
        return pods.stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null)
                .sorted(Comparator.comparing((Pod pod) -> pod.getMetadata().getName()))
                .flatMap(pod -> containerStatuses(pod)
                        .filter(c -> c.getState() != null && c.getState().getWaiting() != null)
                        .map(c -> problem(pod, c, c.getState().getWaiting()))
                        .flatMap(Optional::stream))
                .findFirst();
    }

    private static Stream<ContainerStatus> containerStatuses(Pod pod) {
        List<ContainerStatus> init = pod.getStatus().getInitContainerStatuses();
        List<ContainerStatus> main = pod.getStatus().getContainerStatuses();
        return Stream.concat(init == null ? Stream.empty() : init.stream(),
                main == null ? Stream.empty() : main.stream());
    }

    private static Optional<ConditionState> problem(Pod pod, ContainerStatus container, ContainerStateWaiting waiting) {
        String where = "pod " + pod.getMetadata().getName() + ", container " + container.getName();
        String detail = waiting.getMessage() == null || waiting.getMessage().isEmpty() ? ""
                : ": " + waiting.getMessage();
        if (IMAGE_PULL_FAILURES.contains(waiting.getReason())) {
            return Optional.of(new ConditionState(TYPE, ConditionState.FALSE, REASON_IMAGE_PULL_FAILED,
                    where + ": " + waiting.getReason() + " for image " + container.getImage() + detail));
        }
        if (CRASH_LOOP.equals(waiting.getReason())) {
            return Optional.of(new ConditionState(TYPE, ConditionState.FALSE, REASON_CRASH_LOOPING,
                    where + ": restarted " + container.getRestartCount() + " times" + detail));
        }
        return Optional.empty();
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    static int readyReplicas(Deployment deployment) {
        if (deployment == null || deployment.getStatus() == null || deployment.getStatus().getReadyReplicas() == null) {
            return 0;
        }
        return deployment.getStatus().getReadyReplicas();
    }

    static int availableReplicas(Deployment deployment) {
        if (deployment == null || deployment.getStatus() == null
                || deployment.getStatus().getAvailableReplicas() == null) {
            return 0;
        }
        return deployment.getStatus().getAvailableReplicas();
    }
}
