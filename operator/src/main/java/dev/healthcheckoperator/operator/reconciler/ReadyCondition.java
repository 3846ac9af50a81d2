package dev.healthcheckoperator.operator.reconciler;

import io.fabric8.kubernetes.api.model.apps.Deployment;

/** Ready: the sidecar Deployment has as many available replicas as the HealthCheck asks for. */
public final class ReadyCondition {

    public static final String TYPE = "Ready";
    public static final String REASON_AVAILABLE = "SidecarsAvailable";
    public static final String REASON_PROGRESSING = "SidecarsProgressing";
    public static final String REASON_INVALID_SPEC = "InvalidSpec";

    private ReadyCondition() {
    }

    public static ConditionState of(Deployment deployment, int desiredReplicas) {
        int available = availableReplicas(deployment);
        if (available >= desiredReplicas) {
            return new ConditionState(TYPE, ConditionState.TRUE, REASON_AVAILABLE,
                    available + " of " + desiredReplicas + " sidecar replicas available");
        }
        return new ConditionState(TYPE, ConditionState.FALSE, REASON_PROGRESSING,
                available + " of " + desiredReplicas + " sidecar replicas available");
    }

    public static ConditionState invalidSpec(String message) {
        return new ConditionState(TYPE, ConditionState.FALSE, REASON_INVALID_SPEC, message);
    }

    static int availableReplicas(Deployment deployment) {
        if (deployment == null || deployment.getStatus() == null
                || deployment.getStatus().getAvailableReplicas() == null) {
            return 0;
        }
        return deployment.getStatus().getAvailableReplicas();
    }

    static int readyReplicas(Deployment deployment) {
        if (deployment == null || deployment.getStatus() == null || deployment.getStatus().getReadyReplicas() == null) {
            return 0;
        }
        return deployment.getStatus().getReadyReplicas();
    }
}
