package dev.healthcheckoperator.operator.statuspage;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One HealthCheck as /api/v1/healthchecks shows it: a stable shape of its own, not the resource, so the page never
 * shows a header value, a Secret reference or a URL's credentials, and the resource's schema can evolve apart.
 *
 * @param health Healthy, Degraded, Unhealthy or Unknown (Unknown also when the status says nothing yet)
 * @param healthReason reason of the Healthy condition; null before the operator has written one
 * @param ready the Ready condition: true, false, or null when it is absent or Unknown
 */
@JsonPropertyOrder({ "namespace", "name", "health", "healthReason", "healthMessage", "healthTransitionTime", "ready",
        "readyReason", "readyMessage", "readyTransitionTime", "checks" })
public record HealthCheckSummary(String namespace, String name, String health, String healthReason,
        String healthMessage, String healthTransitionTime, Boolean ready, String readyReason, String readyMessage,
        String readyTransitionTime, List<Check> checks) {

    /**
     * One check: what the spec says of it and what the status last saw.
     *
     * @param kind httpGet, tcpSocket or grpc
     * @param target where it goes: scheme://host:port/path for HTTP (no userinfo, no query), host:port otherwise
     * @param status passing, failing or unknown
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({ "name", "kind", "target", "critical", "status", "reason", "message", "lastTransitionTime" })
    public record Check(String name, String kind, String target, boolean critical, String status, String reason,
            String message, String lastTransitionTime) {
    }
}
