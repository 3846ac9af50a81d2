package dev.healthcheckoperator.sidecar.checks;

import java.util.List;

/** The sidecar's verdict over all checks: {@code down} when a critical check fails, {@code degraded} when another does. */
public record HealthReport(Status status, List<CheckStatus> checks) {

    public enum Status {
        ok, degraded, down
    }

    public static HealthReport of(List<CheckStatus> checks) {
        Status status = Status.ok;
        for (CheckStatus check : checks) {
            if (check.state() == CheckStatus.State.failing) {
                if (check.critical()) {
                    return new HealthReport(Status.down, checks);
                }
                status = Status.degraded;
            }
        }
        return new HealthReport(status, checks);
    }
}
