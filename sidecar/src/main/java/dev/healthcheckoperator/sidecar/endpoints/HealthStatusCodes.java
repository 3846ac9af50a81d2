package dev.healthcheckoperator.sidecar.endpoints;

import dev.healthcheckoperator.sidecar.checks.HealthReport;

/**
 * How a verdict is served over HTTP, kept apart from how it is reached: a probe or a load balancer only reads
 * the code, so everything that must not count as healthy answers 503.
 */
final class HealthStatusCodes {

    private HealthStatusCodes() {
    }

    static int of(HealthReport.Status status) {
        return switch (status) {
            case down, unknown -> 503;
            case degraded, ok -> 200;
        };
    }
}
