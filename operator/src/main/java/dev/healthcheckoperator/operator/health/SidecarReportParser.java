package dev.healthcheckoperator.operator.health;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;

/**
 * Reads the sidecar's /health document: {@code {"status":"ok"|"degraded"|"unknown"|"down","checks":[{"name",
 * "status":"ok"|"failing"|"unknown","reason","message","flapping",...}]}} (200 for ok and degraded, 503 for unknown and
 * down). {@code unknown} means a critical check has not been decided yet: that is no verdict, never Healthy.
 */
public final class SidecarReportParser {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Messages end up in the HealthCheck status; a misbehaving upstream must not bloat it. */
    static final int MAX_MESSAGE_LENGTH = 256;

    private SidecarReportParser() {
    }

    public static HealthReport parse(SidecarResponse response) {
        JsonNode root;
        try {
            root = MAPPER.readTree(response.body());
        } catch (JsonProcessingException e) {
            root = null;
        }
        if (root == null || !root.isObject() || !root.path("status").isTextual()) {
            return HealthReport.unknown("UnexpectedResponse",
                    "the sidecar answered HTTP " + response.statusCode() + " without a health report");
        }
        String status = root.path("status").asText();
        List<CheckReport> checks = checks(root.path("checks"));
        return switch (status) {
            case "ok" -> new HealthReport(Health.Healthy, "AllChecksPassing", "all checks pass", checks);
            case "degraded" -> new HealthReport(Health.Degraded, "NonCriticalChecksFailing",
                    "failing: " + failingNames(checks), checks);
            case "down" -> new HealthReport(Health.Unhealthy, "CriticalChecksFailing",
                    "failing: " + failingNames(checks), checks);
            case "unknown" -> new HealthReport(Health.Unknown, "Pending", "not decided yet: " + undecidedNames(checks),
                    checks);
            default -> HealthReport.unknown("UnexpectedResponse", "unknown sidecar status " + truncate(status));
        };
    }

    private static List<CheckReport> checks(JsonNode array) {
        List<CheckReport> checks = new ArrayList<>();
        for (JsonNode check : array) {
            String state = check.path("status").asText("unknown");
            Boolean healthy = switch (state) {
                case "ok" -> Boolean.TRUE;
                case "failing" -> Boolean.FALSE;
                default -> null;
            };
            String reason = text(check, "reason");
            if (reason == null) {
                reason = healthy == null ? "Pending" : healthy ? "Passing" : "Failing";
            }
            // Only a JSON true counts: a sidecar too old to know flapping, or a garbled field, means not flapping.
            checks.add(new CheckReport(check.path("name").asText(), healthy, reason,
                    Boolean.FALSE.equals(healthy) ? text(check, "message") : null,
                    check.path("flapping").isBoolean() && check.path("flapping").booleanValue()));
        }
        return checks;
    }

    private static String failingNames(List<CheckReport> checks) {
        return names(checks.stream().filter(c -> Boolean.FALSE.equals(c.healthy())).map(CheckReport::name).toList());
    }

    private static String undecidedNames(List<CheckReport> checks) {
        return names(checks.stream().filter(c -> c.healthy() == null).map(CheckReport::name).toList());
    }

    private static String names(List<String> names) {
        return names.isEmpty() ? "(none reported)" : truncate(String.join(", ", names));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asText().isEmpty() ? null : truncate(value.asText());
    }

    private static String truncate(String text) {
        return text.length() <= MAX_MESSAGE_LENGTH ? text : text.substring(0, MAX_MESSAGE_LENGTH - 3) + "...";
    }
}
