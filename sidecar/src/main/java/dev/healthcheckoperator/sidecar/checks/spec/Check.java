package dev.healthcheckoperator.sidecar.checks.spec;

import java.time.Duration;

/** A validated check with every default applied: what the engine runs. */
public record Check(
        String name,
        boolean critical,
        Duration period,
        Duration timeout,
        int failureThreshold,
        int successThreshold,
        CheckDefinition definition,
        FlapLimits flapLimits) {

    public String kind() {
        if (definition.httpGet() != null) {
            return "httpGet";
        }
        if (definition.tcpSocket() != null) {
            return "tcpSocket";
        }
        if (definition.dns() != null) {
            return "dns";
        }
        return definition.tlsCertificate() != null ? "tlsCertificate" : "grpc";
    }
}
