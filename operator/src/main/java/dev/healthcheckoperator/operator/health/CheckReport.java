package dev.healthcheckoperator.operator.health;

/**
 * What a user would act on about one check: whether it passes and why not, and whether it flaps. Latencies, counters
 * and timestamps of the sidecar's report are left out on purpose, so an unchanged situation compares equal from one
 * poll to the next.
 *
 * @param healthy null while the sidecar has no result yet
 * @param flapping whether the sidecar reports the check's state as changing too often
 */
public record CheckReport(String name, Boolean healthy, String reason, String message, boolean flapping) {

    /** A check that does not flap. */
    public CheckReport(String name, Boolean healthy, String reason, String message) {
        this(name, healthy, reason, message, false);
    }
}
