package dev.healthcheckoperator.sidecar.checks;

import dev.healthcheckoperator.sidecar.checks.spec.FlapLimits;

/**
 * Tells whether a check flaps: its state changed more than {@code maxTransitions} times within its last
 * {@code window} probes. Once flapping, it stays so until the state held for a whole window (no transition within
 * the last {@code window} probes), so a check at the edge of the limit does not flap on and off with every probe.
 * <p>
 * Memory is one bit per probe of the window, kept in a ring, and a running count of the bits set. Not thread-safe:
 * its check's runner calls it under its own lock.
 */
final class FlapDetector {

    private final int maxTransitions;
    /** Bit i of the ring: whether the probe at that slot changed the state. */
    private final long[] ring;
    private final int window;
    private int next;
    private int transitionsInWindow;
    private boolean flapping;

    FlapDetector(FlapLimits limits) {
        this.window = limits.window();
        this.maxTransitions = limits.maxTransitions();
        this.ring = new long[(window + Long.SIZE - 1) / Long.SIZE];
    }

    /** Records one probe, whether it changed the state or not, and answers whether the check flaps now. */
    boolean record(boolean transition) {
        int word = next / Long.SIZE;
        long bit = 1L << (next % Long.SIZE);
        if ((ring[word] & bit) != 0) {
            transitionsInWindow--; // the probe that leaves the window
        }
        if (transition) {
            ring[word] |= bit;
            transitionsInWindow++;
        } else {
            ring[word] &= ~bit;
        }
        next = (next + 1) % window;
        if (transitionsInWindow > maxTransitions) {
            flapping = true;
        } else if (transitionsInWindow == 0) {
            flapping = false;
        }
        return flapping;
    }

    boolean flapping() {
        return flapping;
    }

    int transitionsInWindow() {
        return transitionsInWindow;
    }
}
