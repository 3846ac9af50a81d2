package dev.healthcheckoperator.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.reconciler.EventThrottle.Action;
import dev.healthcheckoperator.operator.reconciler.EventThrottle.Decision;
import dev.healthcheckoperator.operator.reconciler.EventThrottle.Key;

/** The bookkeeping of EventRecorder, on a clock the test moves; the API-server side is in RolloutStatusTest. */
class EventThrottleTest {

    private final AtomicLong clock = new AtomicLong();
    private static final Key FLAP = new Key("Warning", "Unhealthy", "Poll", "api failing");
    private static final Key RECOVERED = new Key("Normal", "Healthy", "Poll", "all pass");

    private EventThrottle throttle(int burst, int globalBurst) {
        return new EventThrottle(burst, Duration.ofMinutes(5), globalBurst, 1, Duration.ofMinutes(30), 100,
                clock::get);
    }

    @Test
    void repeatsBecomeASeriesOnTheFirstEvent() {
        EventThrottle throttle = throttle(10, 100);
        Decision first = throttle.decide("uid", FLAP, "a.1");
        assertEquals(new Decision(Action.CREATE, "a.1", 1), first);
        assertEquals(Action.CREATE, throttle.decide("uid", RECOVERED, "a.2").action());
        assertEquals(new Decision(Action.UPDATE_SERIES, "a.1", 2), throttle.decide("uid", FLAP, "a.3"));
        assertEquals(new Decision(Action.UPDATE_SERIES, "a.2", 2), throttle.decide("uid", RECOVERED, "a.4"));
    }

    @Test
    void anObjectGetsItsBurstThenOneWritePerRefillAndTheCountStaysTrue() {
        EventThrottle throttle = throttle(3, 100);
        for (int i = 0; i < 3; i++) {
            assertTrue(throttle.decide("uid", FLAP, "a.1").action() != Action.DROP);
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(Action.DROP, throttle.decide("uid", FLAP, "a.1").action());
        }
        assertEquals(Action.CREATE, throttle.decide("other", FLAP, "b.1").action(), "each object has its own");

        clock.addAndGet(Duration.ofMinutes(5).toNanos());
        assertEquals(new Decision(Action.UPDATE_SERIES, "a.1", 14), throttle.decide("uid", FLAP, "a.1"));
        assertEquals(Action.DROP, throttle.decide("uid", FLAP, "a.1").action());
    }

    @Test
    void allObjectsTogetherAreBoundedToo() {
        EventThrottle throttle = throttle(10, 5);
        int written = 0;
        for (int i = 0; i < 1000; i++) {
            if (throttle.decide("uid-" + i, FLAP, "n." + i).action() != Action.DROP) {
                written++;
            }
        }
        assertEquals(5, written);
    }

    @Test
    void anEventAfterTheSeriesWindowIsANewOne() {
        EventThrottle throttle = throttle(10, 100);
        throttle.decide("uid", FLAP, "a.1");
        clock.addAndGet(Duration.ofMinutes(31).toNanos());
        assertEquals(new Decision(Action.CREATE, "a.2", 1), throttle.decide("uid", FLAP, "a.2"));
    }

    @Test
    void aFailedWriteIsCreatedAgainNextTime() {
        EventThrottle throttle = throttle(10, 100);
        throttle.decide("uid", FLAP, "a.1");
        throttle.forget("uid", FLAP);
        assertEquals(Action.CREATE, throttle.decide("uid", FLAP, "a.2").action());
    }

    @Test
    void eventNamesStayValidForTheLongestNames() {
        String longest = "a".repeat(200) + "." + "b".repeat(52);
        String name = EventRecorder.eventName(longest);
        assertTrue(name.length() <= 253, name.length() + "");
        assertTrue(name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"), name);
        String cutAtADash = EventRecorder.eventName("a".repeat(235) + "-" + "b".repeat(17));
        assertTrue(cutAtADash.matches("a{235}\\.[0-9a-f]{16}"), cutAtADash);
        assertTrue(EventRecorder.truncateUtf8("é".repeat(2000), 1024).getBytes(
                java.nio.charset.StandardCharsets.UTF_8).length <= 1024);
    }
}
