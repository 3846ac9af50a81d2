package dev.healthcheckoperator.sidecar.checks;

import java.time.Instant;

/**
 * An immutable view of one check, replaced as a whole after each probe so that readers (every /health
 * request) take no lock. {@code flapping} is reported beside the state and changes nothing in it: a flapping
 * check is as ok or failing as its thresholds say, like Nagios' flap detection, which only quiets notifications.
 */
public record CheckStatus(
        String name,
        boolean critical,
        State state,
        boolean probed,
        FailureReason reason,
        String message,
        long latencyMillis,
        int consecutiveFailures,
        int consecutiveSuccesses,
        Instant lastSuccess,
        Instant lastTransition,
        boolean flapping) {

    /** {@code unknown} until the thresholds have decided, like the kubelet's probe results. */
    public enum State {
        ok, failing, unknown
    }

    public static CheckStatus initial(String name, boolean critical) {
        return new CheckStatus(name, critical, State.unknown, false, null, "not probed yet", 0, 0, 0, null, null,
                false);
    }

    /** Applies one probe result under the kubelet's threshold rules. */
    public CheckStatus next(ProbeOutcome outcome, long latency, Instant now, int failureThreshold,
            int successThreshold) {
        int failures = outcome.success() ? 0 : consecutiveFailures + 1;
        int successes = outcome.success() ? consecutiveSuccesses + 1 : 0;
        State nextState = state;
        if (outcome.success() && state != State.ok && successes >= successThreshold) {
            nextState = State.ok;
        } else if (!outcome.success() && state != State.failing && failures >= failureThreshold) {
            nextState = State.failing;
        }
        return new CheckStatus(name, critical, nextState, true, outcome.reason(), outcome.message(), latency,
                failures, successes, outcome.success() ? now : lastSuccess,
                nextState != state ? now : lastTransition, flapping);
    }

    /** Whether this probe changed a decided state (ok to failing or back); the first decision is no change. */
    public boolean changedFrom(CheckStatus previous) {
        return previous.state != State.unknown && state != previous.state;
    }

    /** This status with its flapping flag set as {@link FlapDetector} decided it. */
    public CheckStatus withFlapping(boolean flapping) {
        return flapping == this.flapping ? this : new CheckStatus(name, critical, state, probed, reason, message,
                latencyMillis, consecutiveFailures, consecutiveSuccesses, lastSuccess, lastTransition, flapping);
    }
}
