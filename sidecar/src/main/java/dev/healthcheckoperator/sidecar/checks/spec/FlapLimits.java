package dev.healthcheckoperator.sidecar.checks.spec;

/**
 * When a check counts as flapping: its state (ok or failing, as its thresholds decide it) changed more than
 * {@code maxTransitions} times within its last {@code window} probes. It stops flapping once the state held for a
 * whole window.
 */
public record FlapLimits(boolean enabled, int window, int maxTransitions) {

    public static final int DEFAULT_WINDOW = 20;
    public static final int DEFAULT_MAX_TRANSITIONS = 4;
    public static final int MIN_WINDOW = 2;
    public static final int MAX_WINDOW = 100;

    public static final FlapLimits DEFAULT = new FlapLimits(true, DEFAULT_WINDOW, DEFAULT_MAX_TRANSITIONS);
}
