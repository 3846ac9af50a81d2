package dev.healthcheckoperator.operator.reconciler;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import io.fabric8.kubernetes.api.model.Condition;

/** A change between two statuses that deserves a Kubernetes Event; polls that change nothing produce none. */
public record Transition(String type, String reason, String message) {

    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";

    public static List<Transition> between(HealthCheckStatus previous, HealthCheckStatus next) {
        List<Transition> transitions = new ArrayList<>();
        readyTransition(previous.condition(ReadyCondition.TYPE).orElse(null),
                next.condition(ReadyCondition.TYPE).orElseThrow()).ifPresent(transitions::add);
        healthTransition(previous, next).ifPresent(transitions::add);
        return transitions;
    }

    private static Optional<Transition> readyTransition(Condition before, Condition after) {
        boolean changed = before == null || !before.getStatus().equals(after.getStatus())
                || !Objects.equals(before.getReason(), after.getReason());
        if (!changed) {
            return Optional.empty();
        }
        if (ReadyCondition.REASON_INVALID_SPEC.equals(after.getReason())) {
            return Optional.of(new Transition(WARNING, "InvalidSpec", after.getMessage()));
        }
        if (ConditionState.TRUE.equals(after.getStatus())) {
            return Optional.of(new Transition(NORMAL, "SidecarsAvailable", after.getMessage()));
        }
        // A new HealthCheck starts unavailable: that is expected, not worth a warning.
        boolean wasAvailableOrInvalid = before != null && (ConditionState.TRUE.equals(before.getStatus())
                || ReadyCondition.REASON_INVALID_SPEC.equals(before.getReason()));
        return wasAvailableOrInvalid
                ? Optional.of(new Transition(WARNING, "SidecarsUnavailable", after.getMessage()))
                : Optional.empty();
    }

    private static Optional<Transition> healthTransition(HealthCheckStatus previous,
            HealthCheckStatus next) {
        Health before = previous.getHealth() == null ? Health.Unknown : previous.getHealth();
        Health after = next.getHealth();
        if (before == after) {
            return Optional.empty();
        }
        String message = next.condition(HealthyCondition.TYPE).map(Condition::getMessage).orElse("");
        return Optional.of(switch (after) {
            case Healthy -> new Transition(NORMAL, "Healthy", message);
            case Degraded -> new Transition(WARNING, "Degraded", message);
            case Unhealthy -> new Transition(WARNING, "Unhealthy", message);
            case Unknown -> new Transition(WARNING, "HealthUnknown", message);
        });
    }
}
