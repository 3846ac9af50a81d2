package dev.healthcheckoperator.operator.health;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.StatusCondition;
import dev.healthcheckoperator.operator.reconciler.HealthyCondition;

/** The outcome of polling one HealthCheck's sidecars; equal reports mean nothing changed for the user. */
public record HealthReport(Health health, String reason, String message, List<CheckReport> checks) {

    /** The sidecars could not be reached, or gave no complete answer in time, several polls in a row. */
    public static final String REASON_UNREACHABLE = "SidecarUnreachable";
    /** The sidecars answered something that is not a health report (or too much of it). */
    public static final String REASON_UNEXPECTED_RESPONSE = "UnexpectedResponse";
    /** Nothing has been decided yet. */
    public static final String REASON_PENDING = "Pending";
    /** The sidecars are not available, so they are not polled. */
    public static final String REASON_NOT_READY = "NotReady";

    /** Reasons the reconciler writes without a poll: a status with one of these says nothing about the sidecars. */
    private static final Set<String> NOT_FROM_A_POLL = Set.of(REASON_NOT_READY, "InvalidSpec");

    public HealthReport {
        checks = List.copyOf(checks);
    }

    public static HealthReport unknown(String reason, String message) {
        return new HealthReport(Health.Unknown, reason, message, List.of());
    }

    /**
     * What a status says about the sidecars' health, as the report that would have written it; empty when the
     * status holds no polled health (a new HealthCheck, or one whose sidecars were not ready).
     */
    public static Optional<HealthReport> shownIn(HealthCheckStatus status) {
        if (status == null || status.getHealth() == null) {
            return Optional.empty();
        }
        Optional<StatusCondition> healthy = status.condition(HealthyCondition.TYPE);
        if (healthy.isEmpty() || NOT_FROM_A_POLL.contains(healthy.get().getReason())) {
            return Optional.empty();
        }
        List<CheckReport> checks = status.getChecks() == null ? List.of()
                : status.getChecks().stream().map(HealthReport::checkReport).toList();
        return Optional.of(new HealthReport(status.getHealth(), healthy.get().getReason(),
                healthy.get().getMessage(), checks));
    }

    /** Whether the status already shows this report, so that writing it would change nothing. */
    public boolean isShownIn(HealthCheckStatus status) {
        return shownIn(status).map(this::equals).orElse(false);
    }

    private static CheckReport checkReport(CheckStatus check) {
        return new CheckReport(check.getName(), check.getHealthy(), check.getReason(), check.getMessage(),
                Boolean.TRUE.equals(check.getFlapping()));
    }
}
