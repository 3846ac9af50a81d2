package dev.healthcheckoperator.operator.health;

import java.util.List;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;

/** The outcome of polling one HealthCheck's sidecars; equal reports mean nothing changed for the user. */
public record HealthReport(Health health, String reason, String message, List<CheckReport> checks) {

    public HealthReport {
        checks = List.copyOf(checks);
    }

    public static HealthReport unknown(String reason, String message) {
        return new HealthReport(Health.Unknown, reason, message, List.of());
    }
}
