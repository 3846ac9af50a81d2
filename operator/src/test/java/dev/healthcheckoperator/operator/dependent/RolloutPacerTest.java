package dev.healthcheckoperator.operator.dependent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.config.OperatorConfig;
import dev.healthcheckoperator.operator.testsupport.AdjustableClock;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

class RolloutPacerTest {

    private static final Duration SPACING = Duration.ofSeconds(1); // 60 per minute

    private final AdjustableClock clock = stoppedClock();
    private final RolloutPacer pacer = new RolloutPacer(config(60), clock);

    private static AdjustableClock stoppedClock() {
        AdjustableClock clock = new AdjustableClock();
        clock.stop();
        return clock;
    }

    /** The one setting the pacer reads; nothing else of the configuration is asked for. */
    private static OperatorConfig config(int perMinute) {
        OperatorConfig.Rollout rollout = (OperatorConfig.Rollout) Proxy.newProxyInstance(
                RolloutPacerTest.class.getClassLoader(), new Class<?>[] { OperatorConfig.Rollout.class },
                (proxy, method, args) -> perMinute);
        return (OperatorConfig) Proxy.newProxyInstance(RolloutPacerTest.class.getClassLoader(),
                new Class<?>[] { OperatorConfig.class }, (proxy, method, args) -> rollout);
    }

    private static ResourceID hc(int i) {
        return new ResourceID("hc-" + i, "fleet");
    }

    @Test
    void eachAskerGetsTheNextSlotAndRollsAtIt() {
        assertEquals(Optional.empty(), pacer.waitFor(hc(0)));
        assertEquals(Optional.of(SPACING), pacer.waitFor(hc(1)));
        assertEquals(Optional.of(SPACING.multipliedBy(2)), pacer.waitFor(hc(2)));
        // Asking again before its time changes nothing: the slot is kept.
        assertEquals(Optional.of(SPACING), pacer.waitFor(hc(1)));
        clock.advance(SPACING);
        assertEquals(Optional.empty(), pacer.waitFor(hc(1)));
    }

    /** Reconciliations that all come back long after their slots roll one per spacing, not all at once. */
    @Test
    void latecomersDoNotRollFasterThanTheRate() {
        for (int i = 0; i < 5; i++) {
            pacer.waitFor(hc(i));
        }
        clock.advance(Duration.ofSeconds(30));
        List<Integer> rolledNow = new ArrayList<>();
        for (int i = 1; i < 5; i++) {
            if (pacer.waitFor(hc(i)).isEmpty()) {
                rolledNow.add(i);
            }
        }
        assertEquals(List.of(1), rolledNow, "one turn, not one per passed slot");

        // The others come back at their new turns, one spacing apart.
        List<Instant> given = new ArrayList<>(List.of(clock.instant()));
        for (int round = 0; round < 10 && given.size() < 4; round++) {
            for (int i = 2; i < 5; i++) {
                Optional<Duration> wait = pacer.waitFor(hc(i));
                if (wait.isEmpty() && !given.contains(clock.instant())) {
                    given.add(clock.instant());
                }
            }
            clock.advance(SPACING);
        }
        assertEquals(4, given.size());
        for (int i = 1; i < given.size(); i++) {
            assertTrue(!Duration.between(given.get(i - 1), given.get(i)).minus(SPACING).isNegative(),
                    "turns " + given);
        }
    }
}
