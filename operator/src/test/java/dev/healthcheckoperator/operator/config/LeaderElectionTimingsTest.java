package dev.healthcheckoperator.operator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Lease timings that would let two replicas lead at once stop the operator, naming the setting. */
class LeaderElectionTimingsTest {

    record Timings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod)
            implements OperatorConfig.LeaderElection {

        @Override
        public boolean exitOnStopLeading() {
            return true;
        }

        @Override
        public Optional<String> leaseNamespace() {
            return Optional.empty();
        }
    }

    @ParameterizedTest
    @CsvSource({"15s, 10s, 2s", "8s, 6s, 1s", "3s, 2s, 500ms"})
    void consistentTimingsAreTaken(String lease, String renew, String retry) {
        Timings timings = timings(lease, renew, retry);
        assertSame(timings, LeaderElection.checkedTimings(timings));
    }

    @ParameterizedTest
    @CsvSource({
            "10s, 10s, 2s, 'healthcheck.leader-election.lease-duration: must be longer than renew-deadline (PT10S <= PT10S)'",
            "5s, 10s, 2s, 'healthcheck.leader-election.lease-duration: must be longer than renew-deadline (PT5S <= PT10S)'",
            "15s, 2s, 2s, 'healthcheck.leader-election.renew-deadline: must be longer than retry-period (PT2S <= PT2S)'",
            "15s, 10s, 0s, 'healthcheck.leader-election.retry-period: must be positive, is PT0S'",
            "15s, 10s, -1s, 'healthcheck.leader-election.retry-period: must be positive, is PT-1S'"})
    void inconsistentTimingsNameTheSetting(String lease, String renew, String retry, String message) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> LeaderElection.checkedTimings(timings(lease, renew, retry)));
        assertEquals(message, refused.getMessage());
    }

    private static Timings timings(String lease, String renew, String retry) {
        return new Timings(duration(lease), duration(renew), duration(retry));
    }

    private static Duration duration(String text) {
        return text.endsWith("ms") ? Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)))
                : Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
    }
}
