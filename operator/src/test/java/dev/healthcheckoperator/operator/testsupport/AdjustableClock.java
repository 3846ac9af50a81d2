package dev.healthcheckoperator.operator.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import jakarta.inject.Singleton;

/**
 * The operator's clock in tests: the wall clock until a test stops it, then only as far as the test moves it, so a
 * test can say exactly which turns have come (RolloutPacer). Replaces the application's default Clock bean.
 */
@Singleton
public class AdjustableClock extends Clock {

    private volatile Instant stoppedAt;

    /** From now on the time stands still at the current instant. */
    public void stop() {
        stoppedAt = Instant.now();
    }

    public void advance(Duration by) {
        stoppedAt = stoppedAt.plus(by);
    }

    /** Back to the wall clock. */
    public void run() {
        stoppedAt = null;
    }

    @Override
    public Instant instant() {
        Instant stopped = stoppedAt;
        return stopped != null ? stopped : Instant.now();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
