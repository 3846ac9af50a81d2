package dev.healthcheckoperator.operator.reconciler;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
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

    public static HealthCheckStatus next(HealthCheck healthCheck, HealthCheckStatus previous, ConditionState ready,
            Integer readyReplicas, HealthReport report, String now) {
        HealthCheckStatus status = new HealthCheckStatus();
        status.setObservedGeneration(healthCheck.getMetadata().getGeneration());
        status.setConditions(List.of(ready.toCondition(previous.getConditions(), now),
                HealthyCondition.of(report).toCondition(previous.getConditions(), now)));
        status.setReadyReplicas(readyReplicas);
        status.setHealth(report.health());
        status.setEndpoint(SidecarNames.inClusterEndpoint(healthCheck));
        status.setChecks(checks(report, previous.getChecks(), now));
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
