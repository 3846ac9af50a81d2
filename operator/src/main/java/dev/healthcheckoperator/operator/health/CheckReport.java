package dev.healthcheckoperator.operator.health;

/**
 * What a user would act on about one check: whether it passes and why not. Latencies, counters and timestamps of
 * the sidecar's report are left out on purpose, so an unchanged situation compares equal from one poll to the next.
 *
 * @param healthy null while the sidecar has no result yet
 */
public record CheckReport(String name, Boolean healthy, String reason, String message) {
}
