package dev.healthcheckoperator.sidecar.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthcheckoperator.sidecar.checks.spec.FlapLimits;
import org.junit.jupiter.api.Test;

/** The flap detector's exact boundaries: maxTransitions within the window is not flapping, one more is. */
class FlapDetectorTest {

    private static final FlapLimits FOUR_IN_TEN = new FlapLimits(true, 10, 4);

    /** Feeds probes, 'T' for one that changed the state and '.' for one that did not; answers the last verdict. */
    private static boolean feed(FlapDetector detector, String probes) {
        boolean flapping = detector.flapping();
        for (char probe : probes.toCharArray()) {
            flapping = detector.record(probe == 'T');
        }
        return flapping;
    }

    @Test
    void exactlyMaxTransitionsInTheWindowIsNotFlapping() {
        FlapDetector detector = new FlapDetector(FOUR_IN_TEN);
        assertThat(feed(detector, "T.T.T.T...")).isFalse();
        assertThat(detector.transitionsInWindow()).isEqualTo(4);
    }

    @Test
    void oneTransitionMoreIsFlapping() {
        FlapDetector detector = new FlapDetector(FOUR_IN_TEN);
        assertThat(feed(detector, "T.T.T.T")).isFalse();
        assertThat(feed(detector, "T")).isTrue();
        assertThat(detector.transitionsInWindow()).isEqualTo(5);
    }

    @Test
    void transitionsSpreadWiderThanTheWindowNeverAddUp() {
        FlapDetector detector = new FlapDetector(FOUR_IN_TEN);
        // Five transitions, but the first has left the window when the fifth comes: 4 in any 10 probes.
        assertThat(feed(detector, "T..T..T..T")).isFalse();
        assertThat(feed(detector, "T")).isFalse();
        assertThat(detector.transitionsInWindow()).isEqualTo(4);
        // Now the window holds the last four plus this one.
        assertThat(feed(detector, "T")).isTrue();
    }

    @Test
    void itStopsFlappingOnlyOnceTheStateHeldForAWholeWindow() {
        FlapDetector detector = new FlapDetector(FOUR_IN_TEN);
        assertThat(feed(detector, "TTTTT")).isTrue();
        // Below the limit again, but transitions are still within the window: still flapping (hysteresis).
        assertThat(feed(detector, ".....")).isTrue();
        assertThat(detector.transitionsInWindow()).isEqualTo(5);
        assertThat(feed(detector, "....")).isTrue();
        assertThat(detector.transitionsInWindow()).isEqualTo(1);
        // The tenth probe without a change pushes the last transition out of the window.
        assertThat(feed(detector, ".")).isFalse();
        assertThat(detector.transitionsInWindow()).isZero();
    }

    @Test
    void aSingleTransitionWithinTheWindowKeepsItFlapping() {
        FlapDetector detector = new FlapDetector(FOUR_IN_TEN);
        feed(detector, "TTTTT");
        // One change every nine probes: never more than the limit, never a whole window without one.
        for (int round = 0; round < 5; round++) {
            assertThat(feed(detector, "........T")).isTrue();
        }
        assertThat(feed(detector, "..........")).isFalse();
    }

    @Test
    void afterStoppingItTakesMoreThanMaxTransitionsAgainToFlap() {
        FlapDetector detector = new FlapDetector(FOUR_IN_TEN);
        feed(detector, "TTTTT..........");
        assertThat(detector.flapping()).isFalse();
        assertThat(feed(detector, "TTTT")).isFalse();
        assertThat(feed(detector, "T")).isTrue();
    }

    @Test
    void theSmallestWindowFlapsOnTwoChangesInARow() {
        FlapDetector detector = new FlapDetector(new FlapLimits(true, 2, 1));
        assertThat(feed(detector, "T.T.")).isFalse();
        assertThat(feed(detector, "TT")).isTrue();
        assertThat(feed(detector, ".")).isTrue();
        assertThat(feed(detector, ".")).isFalse();
    }

    /** The ring spans more than one 64-bit word at the largest window. */
    @Test
    void theLargestWindowCountsAcrossItsWholeRing() {
        FlapDetector detector = new FlapDetector(new FlapLimits(true, 100, 99));
        assertThat(feed(detector, "T".repeat(99))).isFalse();
        assertThat(feed(detector, "T")).isTrue();
        assertThat(detector.transitionsInWindow()).isEqualTo(100);
        assertThat(feed(detector, ".".repeat(99))).isTrue();
        assertThat(feed(detector, ".")).isFalse();
    }
}
