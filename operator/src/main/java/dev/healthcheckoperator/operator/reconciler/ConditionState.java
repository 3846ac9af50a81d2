package dev.healthcheckoperator.operator.reconciler;

import java.util.List;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

/** A condition as the reconciler decides it, before it gets its transition time. */
public record ConditionState(String type, String status, String reason, String message) {

    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    /**
     * The condition to write: lastTransitionTime is kept while the status stays the same, so a reason or message
     * change alone does not look like a transition.
     */
    public Condition toCondition(List<Condition> previous, String now) {
        String transitionTime = previous == null ? now
                : previous.stream()
                        .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                        .map(Condition::getLastTransitionTime)
                        .findFirst()
                        .orElse(now);
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(transitionTime).build();
    }
}
