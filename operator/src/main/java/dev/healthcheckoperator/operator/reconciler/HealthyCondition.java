package dev.healthcheckoperator.operator.reconciler;

import dev.healthcheckoperator.operator.health.HealthReport;

/** Healthy: True when every check passes, False when any fails, Unknown while the sidecars cannot tell. */
public final class HealthyCondition {

    public static final String TYPE = "Healthy";

    private HealthyCondition() {
    }

    public static ConditionState of(HealthReport report) {
        String status = switch (report.health()) {
            case Healthy -> ConditionState.TRUE;
            case Degraded, Unhealthy -> ConditionState.FALSE;
            case Unknown -> ConditionState.UNKNOWN;
        };
        return new ConditionState(TYPE, status, report.reason(), report.message());
    }
}
