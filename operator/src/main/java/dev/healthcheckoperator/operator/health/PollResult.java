package dev.healthcheckoperator.operator.health;

/**
 * What one poll of a sidecar yielded.
 *
 * @param answered whether the sidecar gave a health report (whatever its health); false when the poll failed
 *     (unreachable, timed out, an answer too large or not a report), which counts towards the failure threshold
 */
public record PollResult(HealthReport report, boolean answered) {
}
