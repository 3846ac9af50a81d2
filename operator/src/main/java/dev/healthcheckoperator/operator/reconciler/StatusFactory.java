package dev.healthcheckoperator.operator.reconciler;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.StatusCondition;
import dev.healthcheckoperator.operator.dependent.SidecarNames;
import dev.healthcheckoperator.operator.health.CheckReport;
import dev.healthcheckoperator.operator.health.HealthReport;

/**
 * Builds the next status from what the reconciler observed. Times come from the previous status unless something
 * flipped, so the same observation always yields an equal status and no write.
 */
public final class StatusFactory {

    private StatusFactory() {
    }

    /** Ready as observed, health from this report. */
    public static HealthCheckStatus next(HealthCheck healthCheck, HealthCheckStatus previous, ConditionState ready,
            Integer readyReplicas, HealthReport report, String now) {
        Long generation = healthCheck.getMetadata().getGeneration();
        HealthCheckStatus status = base(healthCheck, readyReplicas);
        status.setConditions(conditions(ready.toCondition(previous.getConditions(), generation, now),
                HealthyCondition.of(report).toCondition(previous.getConditions(), generation, now),
                FlappingCondition.next(report, previous, generation, now)));
        status.setHealth(report.health());
        status.setChecks(checks(report, previous.getChecks(), now));
        return status;
    }

    /**
     * Ready as observed, health as the previous status has it: during a rollout the sidecars that answer may be old
     * or new ones, so nothing they say replaces the last verdict until the rollout ends; after a reconcile error or
     * a name conflict the sidecars that run are not in question. The Healthy condition keeps its observedGeneration,
     * which tells the generation the health was observed for. Without a previous verdict, {@code whenNone} is used.
     */
    public static HealthCheckStatus holdingHealth(HealthCheck healthCheck, HealthCheckStatus previous,
            ConditionState ready, Integer readyReplicas, HealthReport whenNone, String now) {
        StatusCondition healthy = previous.condition(HealthyCondition.TYPE).orElse(null);
        if (healthy == null || previous.getHealth() == null) {
            return next(healthCheck, previous, ready, readyReplicas, whenNone, now);
        }
        HealthCheckStatus status = base(healthCheck, readyReplicas);
        status.setConditions(conditions(
                ready.toCondition(previous.getConditions(), healthCheck.getMetadata().getGeneration(), now), healthy,
                previous.condition(FlappingCondition.TYPE).orElse(null)));
        status.setHealth(previous.getHealth());
        status.setChecks(previous.getChecks());
        return status;
    }

    /** Ready and Healthy always; Flapping once a check has flapped. */
    private static List<StatusCondition> conditions(StatusCondition ready, StatusCondition healthy,
            StatusCondition flapping) {
        return flapping == null ? List.of(ready, healthy) : List.of(ready, healthy, flapping);
    }

    private static HealthCheckStatus base(HealthCheck healthCheck, Integer readyReplicas) {
        HealthCheckStatus status = new HealthCheckStatus();
        status.setObservedGeneration(healthCheck.getMetadata().getGeneration());
        status.setReadyReplicas(readyReplicas);
        status.setEndpoint(SidecarNames.inClusterEndpoint(healthCheck));
        return status;
    }

    private static List<CheckStatus> checks(HealthReport report, List<CheckStatus> previous, String now) {
        List<CheckStatus> checks = new ArrayList<>();
        for (CheckReport check : report.checks()) {
            CheckStatus status = new CheckStatus();
            status.setName(check.name());
            status.setHealthy(check.healthy());
            status.setReason(check.reason());
            status.setMessage(check.message());
            status.setFlapping(check.flapping() ? Boolean.TRUE : null);
            status.setLastTransitionTime(previous == null ? now
                    : previous.stream()
                            .filter(p -> check.name().equals(p.getName())
                                    && Objects.equals(check.healthy(), p.getHealthy()))
                            .map(CheckStatus::getLastTransitionTime)
                            .findFirst()
                            .orElse(now));
            checks.add(status);
        }
        return checks;
    }
}
