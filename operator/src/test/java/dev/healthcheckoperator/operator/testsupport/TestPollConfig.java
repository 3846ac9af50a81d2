package dev.healthcheckoperator.operator.testsupport;

import java.time.Duration;

import dev.healthcheckoperator.operator.config.OperatorConfig;

/** Poll settings for tests that build the poller by hand, in direct mode on loopback. */
public record TestPollConfig(Duration interval, Duration timeout, int concurrency, int failureThreshold,
        Duration maxBackoff, Duration stuckAfter) implements OperatorConfig.Poll {

    public static TestPollConfig withTimeout(Duration timeout) {
        return new TestPollConfig(Duration.ofMillis(200), timeout, 4, 3, Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    public TestPollConfig withInterval(Duration newInterval) {
        return new TestPollConfig(newInterval, timeout, concurrency, failureThreshold, maxBackoff, stuckAfter);
    }

    public TestPollConfig withStuckAfter(Duration newStuckAfter) {
        return new TestPollConfig(interval, timeout, concurrency, failureThreshold, maxBackoff, newStuckAfter);
    }

    @Override
    public OperatorConfig.PollMode mode() {
        return OperatorConfig.PollMode.DIRECT;
    }

    @Override
    public String directUrlTemplate() {
        return "http://127.0.0.1:{port}/health";
    }
}
