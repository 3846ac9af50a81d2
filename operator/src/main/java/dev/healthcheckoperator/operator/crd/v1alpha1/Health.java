package dev.healthcheckoperator.operator.crd.v1alpha1;

/** Aggregated health of a HealthCheck, as reported by its sidecar. */
public enum Health {
    /** Every check passes. */
    Healthy,
    /** Only non-critical checks fail. */
    Degraded,
    /** At least one critical check fails. */
    Unhealthy,
    /** Not known: the sidecar is not ready, unreachable, or has not answered yet. */
    Unknown
}
