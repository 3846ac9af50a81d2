package dev.healthcheckoperator.sidecar.checks;

import java.util.List;

/**
 * The sidecar's verdict over all checks, independent of how it is served (the HTTP status code is chosen by
 * the endpoint). A verdict is never {@code ok} while a critical check is undecided.
 */
public record HealthReport(Status status, List<CheckStatus> checks) {

    /** Worst first: the aggregate is the first of these that any check calls for. */
    public enum Status {
        /** A critical check fails past its failureThreshold. */
        down,
        /** A critical check has not been decided yet: never passed its successThreshold nor failed its failureThreshold. */
        unknown,
        /** A non-critical check fails past its failureThreshold. */
        degraded,
        ok
    }

    public static HealthReport of(List<CheckStatus> checks) {
        Status worst = Status.ok;
        for (CheckStatus check : checks) {
            Status verdict = verdictOf(check);
            if (verdict.ordinal() < worst.ordinal()) {
                worst = verdict;
            }
        }
        return new HealthReport(worst, checks);
    }

    private static Status verdictOf(CheckStatus check) {
        return switch (check.state()) {
            case failing -> check.critical() ? Status.down : Status.degraded;
            // A non-critical check cannot make the sidecar unhealthy, so not knowing it yet changes nothing.
            case unknown -> check.critical() ? Status.unknown : Status.ok;
            case ok -> Status.ok;
        };
    }
}
