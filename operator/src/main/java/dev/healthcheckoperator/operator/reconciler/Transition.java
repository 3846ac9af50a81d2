package dev.healthcheckoperator.operator.reconciler;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.StatusCondition;

/** A change between two statuses that deserves a Kubernetes Event; polls that change nothing produce none. */
public record Transition(String type, String reason, String message) {

    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";
    /** events.k8s.io/v1 action of a change found by reconciling the sidecar objects. */
    public static final String ACTION_RECONCILE = "Reconcile";
    /** events.k8s.io/v1 action of a change found by polling the sidecars. */
    public static final String ACTION_POLL = "Poll";

    /** Ready reasons that need someone to act: each is a Warning when it appears. */
    private static final Set<String> WARNING_REASONS = Set.of(ReadyCondition.REASON_INVALID_SPEC,
            ReadyCondition.REASON_RECONCILE_ERROR, ReadyCondition.REASON_NAME_CONFLICT,
            ReadyCondition.REASON_ROLLOUT_FAILED, ReadyCondition.REASON_IMAGE_PULL_FAILED,
            ReadyCondition.REASON_CRASH_LOOPING, ReadyCondition.REASON_UNAVAILABLE,
            MissingReferences.REASON_SECRET_NOT_FOUND, MissingReferences.REASON_CONFIG_MAP_NOT_FOUND);
    private static final Set<String> POLL_REASONS = Set.of("Healthy", "Degraded", "Unhealthy", "HealthUnknown",
            FlapEpisodes.REASON_STARTED, FlapEpisodes.REASON_STOPPED);

    public String action() {
        return POLL_REASONS.contains(reason) ? ACTION_POLL : ACTION_RECONCILE;
    }

    public static List<Transition> between(HealthCheckStatus previous, HealthCheckStatus next) {
        List<Transition> transitions = new ArrayList<>();
        StatusCondition readyBefore = previous.condition(ReadyCondition.TYPE).orElse(null);
        Optional<Transition> ready = readyTransition(readyBefore, next.condition(ReadyCondition.TYPE).orElseThrow());
        Optional<Transition> health = FlapEpisodes.onlyFlappingChecksChanged(previous, next) ? Optional.empty()
                : healthTransition(previous, next);
        if (!(ready.isPresent() && saidByFirstVerdict(readyBefore, ready.get(), previous, health))) {
            ready.ifPresent(transitions::add);
        }
        transitions.addAll(FlapEpisodes.between(previous, next));
        health.ifPresent(transitions::add);
        return transitions;
    }

    /**
     * Sidecars that become available in the same write as their first verdict: the verdict's Event (Healthy,
     * Degraded, Unhealthy) already says they answer, so SidecarsAvailable would be one more write per HealthCheck
     * for no news. Recovery from a Ready reason that was announced as a Warning is news, and always announced.
     */
    private static boolean saidByFirstVerdict(StatusCondition readyBefore, Transition ready,
            HealthCheckStatus previous, Optional<Transition> health) {
        boolean firstVerdict = (previous.getHealth() == null || previous.getHealth() == Health.Unknown)
                && health.isPresent() && !"HealthUnknown".equals(health.get().reason());
        boolean recovery = readyBefore != null && WARNING_REASONS.contains(readyBefore.getReason());
        return ReadyCondition.REASON_AVAILABLE.equals(ready.reason()) && firstVerdict && !recovery;
    }

    private static Optional<Transition> readyTransition(StatusCondition before, StatusCondition after) {
        boolean changed = before == null || !before.getStatus().equals(after.getStatus())
                || !after.getReason().equals(before.getReason());
        if (!changed) {
            return Optional.empty();
        }
        if (ConditionState.TRUE.equals(after.getStatus())) {
            return Optional.of(new Transition(NORMAL, ReadyCondition.REASON_AVAILABLE, after.getMessage()));
        }
        if (WARNING_REASONS.contains(after.getReason())) {
            return Optional.of(new Transition(WARNING, after.getReason(), after.getMessage()));
        }
        // A new HealthCheck starts progressing: that is expected, no news. A rollout of running sidecars is news.
        boolean wasAvailable = before != null && ConditionState.TRUE.equals(before.getStatus());
        return wasAvailable ? Optional.of(new Transition(NORMAL, after.getReason(), after.getMessage()))
                : Optional.empty();
    }

    private static Optional<Transition> healthTransition(HealthCheckStatus previous, HealthCheckStatus next) {
        Health before = previous.getHealth() == null ? Health.Unknown : previous.getHealth();
        Health after = next.getHealth() == null ? Health.Unknown : next.getHealth();
        if (before == after) {
            return Optional.empty();
        }
        String message = next.condition(HealthyCondition.TYPE).map(StatusCondition::getMessage).orElse("");
        return Optional.of(switch (after) {
            case Healthy -> new Transition(NORMAL, "Healthy", message);
            case Degraded -> new Transition(WARNING, "Degraded", message);
            case Unhealthy -> new Transition(WARNING, "Unhealthy", message);
            case Unknown -> new Transition(WARNING, "HealthUnknown", message);
        });
    }
}
