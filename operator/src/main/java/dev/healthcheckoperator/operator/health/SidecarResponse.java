package dev.healthcheckoperator.operator.health;

/** The raw answer of a sidecar's /health. */
public record SidecarResponse(int statusCode, String body) {
}
