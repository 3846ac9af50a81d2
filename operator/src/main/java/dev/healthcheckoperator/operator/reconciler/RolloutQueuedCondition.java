package dev.healthcheckoperator.operator.reconciler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.StatusCondition;

/**
 * {@code RolloutQueued=True} while the sidecar Deployment waits for its turn to take the pod template the operator
 * now renders for an unchanged spec (see DeploymentDependent and RolloutPacer). Ready says nothing of it: the
 * sidecars that run stay available and polled. Present only while it waits, like Flapping only once a check has
 * flapped; it goes in the same write as the rollout's own Ready change. It has no Event: an upgrade would otherwise
 * announce itself once per HealthCheck.
 */
final class RolloutQueuedCondition {

    static final String TYPE = "RolloutQueued";
    static final String REASON_OPERATOR_CHANGE = "OperatorTemplateChange";

    private RolloutQueuedCondition() {
    }

    /** {@code next} with the condition added when the rollout waits, or without it when it does not. */
    static HealthCheckStatus apply(HealthCheckStatus next, HealthCheckStatus previous, Optional<Duration> wait,
            int maxPerMinute, Long generation, String now) {
        List<StatusCondition> conditions = new ArrayList<>(next.getConditions() == null ? List.of()
                : next.getConditions());
        conditions.removeIf(c -> TYPE.equals(c.getType()));
        if (wait.isPresent()) {
            // No time in the message: it would change, and be written, at every look until the turn comes.
            conditions.add(new ConditionState(TYPE, ConditionState.TRUE, REASON_OPERATOR_CHANGE,
                    "the operator renders this HealthCheck's sidecar pod template differently now (its spec did not "
                            + "change): such rollouts start at most " + maxPerMinute + " per minute, and this one "
                            + "waits its turn; the sidecars that run stay in use")
                    .toCondition(previous.getConditions(), generation, now));
        }
        next.setConditions(conditions);
        return next;
    }
}
