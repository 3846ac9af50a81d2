package dev.healthcheckoperator.sidecar.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckStatusTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final ProbeOutcome OK = ProbeOutcome.success("HTTP 200");
    private static final ProbeOutcome REFUSED = ProbeOutcome.failure(FailureReason.ConnectionRefused, "refused");

    private static CheckStatus apply(CheckStatus status, int failureThreshold, int successThreshold,
            ProbeOutcome... outcomes) {
        Instant now = T0;
        for (ProbeOutcome outcome : outcomes) {
            now = now.plusSeconds(10);
            status = status.next(outcome, 5, now, failureThreshold, successThreshold);
        }
        return status;
    }

    @Test
    void failingOnlyAfterFailureThresholdInARow() {
        CheckStatus start = CheckStatus.initial("db", true);
        assertThat(apply(start, 3, 1, REFUSED, REFUSED).state()).isEqualTo(CheckStatus.State.unknown);
        CheckStatus failing = apply(start, 3, 1, REFUSED, REFUSED, REFUSED);
        assertThat(failing.state()).isEqualTo(CheckStatus.State.failing);
        assertThat(failing.consecutiveFailures()).isEqualTo(3);
        assertThat(failing.reason()).isEqualTo(FailureReason.ConnectionRefused);
        assertThat(failing.lastTransition()).isEqualTo(T0.plusSeconds(30));
        assertThat(failing.lastSuccess()).isNull();
    }

    @Test
    void aSuccessResetsTheFailureCount() {
        CheckStatus status = apply(CheckStatus.initial("db", true), 3, 1, OK, REFUSED, REFUSED, OK, REFUSED, REFUSED);
        assertThat(status.state()).isEqualTo(CheckStatus.State.ok);
        assertThat(status.consecutiveFailures()).isEqualTo(2);
        assertThat(status.lastSuccess()).isEqualTo(T0.plusSeconds(40));
        assertThat(status.lastTransition()).isEqualTo(T0.plusSeconds(10));
    }

    @Test
    void recoveryNeedsSuccessThresholdInARow() {
        CheckStatus failing = apply(CheckStatus.initial("db", false), 1, 2, REFUSED);
        assertThat(failing.state()).isEqualTo(CheckStatus.State.failing);
        assertThat(apply(failing, 1, 2, OK).state()).isEqualTo(CheckStatus.State.failing);
        assertThat(apply(failing, 1, 2, OK, REFUSED, OK).state()).isEqualTo(CheckStatus.State.failing);
        assertThat(apply(failing, 1, 2, OK, OK).state()).isEqualTo(CheckStatus.State.ok);
    }

    @Test
    void reportIsDownOnlyForFailingCriticalChecks() {
        CheckStatus criticalFailing = apply(CheckStatus.initial("api", true), 1, 1, REFUSED);
        CheckStatus optionalFailing = apply(CheckStatus.initial("cache", false), 1, 1, REFUSED);
        CheckStatus healthy = apply(CheckStatus.initial("db", true), 1, 1, OK);
        CheckStatus unknown = CheckStatus.initial("new", true);
        // A critical check not decided yet is no verdict: unknown, never ok.
        assertThat(HealthReport.of(List.of(healthy, unknown)).status()).isEqualTo(HealthReport.Status.unknown);
        assertThat(HealthReport.of(List.of(healthy)).status()).isEqualTo(HealthReport.Status.ok);
        assertThat(HealthReport.of(List.of(healthy, optionalFailing)).status()).isEqualTo(HealthReport.Status.degraded);
        assertThat(HealthReport.of(List.of(optionalFailing, criticalFailing)).status())
                .isEqualTo(HealthReport.Status.down);
    }

    @Test
    void failureMessagesAreBoundedAndOnOneLine() {
        ProbeOutcome outcome = ProbeOutcome.failure(FailureReason.ProbeError, "line1\r\nline2" + "x".repeat(1000));
        assertThat(outcome.message()).hasSize(256).doesNotContain("\n").startsWith("line1 line2");
    }

    /** Flap detection counts the state as the thresholds decide it: failures below failureThreshold change nothing. */
    @Test
    void onlyAChangeOfTheDecidedStateIsATransition() {
        CheckStatus unknown = CheckStatus.initial("db", true);
        CheckStatus ok = apply(unknown, 2, 1, OK);
        assertThat(ok.changedFrom(unknown)).as("the first decision").isFalse();
        CheckStatus oneFailure = apply(ok, 2, 1, REFUSED);
        assertThat(oneFailure.changedFrom(ok)).as("a failure below failureThreshold").isFalse();
        CheckStatus failing = apply(oneFailure, 2, 1, REFUSED);
        assertThat(failing.changedFrom(oneFailure)).isTrue();
        assertThat(apply(failing, 2, 1, OK).changedFrom(failing)).isTrue();
        assertThat(apply(failing, 2, 1, REFUSED).changedFrom(failing)).isFalse();
    }

    /** Like Nagios: flapping is reported beside the state, which still decides the verdict. */
    @Test
    void aFlappingCheckKeepsTheVerdictItsStateGives() {
        CheckStatus failing = apply(CheckStatus.initial("api", true), 1, 1, REFUSED).withFlapping(true);
        CheckStatus passing = apply(CheckStatus.initial("api", true), 1, 1, OK).withFlapping(true);
        assertThat(failing.flapping()).isTrue();
        assertThat(HealthReport.of(List.of(failing)).status()).isEqualTo(HealthReport.Status.down);
        assertThat(HealthReport.of(List.of(passing)).status()).isEqualTo(HealthReport.Status.ok);
        assertThat(apply(failing, 1, 1, OK).flapping()).as("carried to the next probe's status").isTrue();
        assertThat(passing.withFlapping(true)).isSameAs(passing);
    }
}
