package dev.healthcheckoperator.operator.dependent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.lang.reflect.Proxy;
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

    /**
     * Reconciliations that come back after their slots (at 2 per minute: slots at 0, 30, 60, 90 and 120 s, all come
     * back at 120 s) roll as their turns allow, but never more than the rate in any minute. A slot more than a minute
     * old is forgotten (its HealthCheck was deleted, as far as the pacer can tell): that one queues again.
     */
    @Test
    void latecomersRollNoMoreThanTheRateInAnyMinute() {
        RolloutPacer twoPerMinute = new RolloutPacer(config(2), clock);
        for (int i = 0; i < 5; i++) {
            twoPerMinute.waitFor(hc(i));
        }
        clock.advance(Duration.ofMinutes(2));
        assertEquals(List.of(2, 3), rolledNow(twoPerMinute, 1, 2, 3, 4));
        assertEquals(Optional.of(Duration.ofMinutes(1)), twoPerMinute.waitFor(hc(4)),
                "until this minute's first turn is a minute old");

        clock.advance(Duration.ofSeconds(59));
        assertEquals(List.of(), rolledNow(twoPerMinute, 4, 1));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(4, 1), rolledNow(twoPerMinute, 4, 1));
    }

    private static List<Integer> rolledNow(RolloutPacer pacer, int... healthChecks) {
        List<Integer> rolled = new ArrayList<>();
        for (int i : healthChecks) {
            if (pacer.waitFor(hc(i)).isEmpty()) {
                rolled.add(i);
            }
        }
        return rolled;
    }
}
