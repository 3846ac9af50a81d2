package dev.healthcheckoperator.sidecar.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The aggregate verdict, apart from any HTTP code: worst of down, unknown, degraded, ok. */
class HealthReportTest {

    private static final ProbeOutcome REFUSED = ProbeOutcome.failure(FailureReason.ConnectionRefused, "refused");
    private static final ProbeOutcome OK = ProbeOutcome.success("HTTP 200");

    private static CheckStatus check(String name, boolean critical, int failureThreshold, ProbeOutcome... outcomes) {
        CheckStatus status = CheckStatus.initial(name, critical);
        for (ProbeOutcome outcome : outcomes) {
            status = status.next(outcome, 1, Instant.EPOCH, failureThreshold, 1);
        }
        return status;
    }

    private static HealthReport.Status of(CheckStatus... checks) {
        return HealthReport.of(List.of(checks)).status();
    }

    @Test
    void anUndecidedCriticalCheckIsUnknownNotOk() {
        assertThat(of(check("api", true, 3))).isEqualTo(HealthReport.Status.unknown);
        assertThat(of(check("api", true, 3, REFUSED))).isEqualTo(HealthReport.Status.unknown);
        assertThat(of(check("api", true, 3, REFUSED, REFUSED))).isEqualTo(HealthReport.Status.unknown);
        assertThat(of(check("api", true, 3, REFUSED, REFUSED, REFUSED))).isEqualTo(HealthReport.Status.down);
        assertThat(of(check("api", true, 3, REFUSED, OK))).isEqualTo(HealthReport.Status.ok);
    }

    @Test
    void onceDecidedAPassingCheckStaysOkUntilItsThreshold() {
        assertThat(of(check("api", true, 3, OK, REFUSED, REFUSED))).isEqualTo(HealthReport.Status.ok);
        assertThat(of(check("api", true, 3, OK, REFUSED, REFUSED, REFUSED))).isEqualTo(HealthReport.Status.down);
    }

    @Test
    void anUndecidedNonCriticalCheckChangesNothing() {
        assertThat(of(check("api", true, 1, OK), check("cache", false, 3, REFUSED))).isEqualTo(HealthReport.Status.ok);
        assertThat(of(check("api", true, 1, OK), check("cache", false, 1, REFUSED)))
                .isEqualTo(HealthReport.Status.degraded);
    }

    @Test
    void worstWins() {
        CheckStatus down = check("a", true, 1, REFUSED);
        CheckStatus undecided = check("b", true, 3, REFUSED);
        CheckStatus degraded = check("c", false, 1, REFUSED);
        assertThat(of(degraded, undecided)).isEqualTo(HealthReport.Status.unknown);
        assertThat(of(degraded, undecided, down)).isEqualTo(HealthReport.Status.down);
        assertThat(of()).isEqualTo(HealthReport.Status.ok);
    }
}
