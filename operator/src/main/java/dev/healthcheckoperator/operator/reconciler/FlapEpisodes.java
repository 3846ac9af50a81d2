package dev.healthcheckoperator.operator.reconciler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;

/**
 * The Events of flapping, one pair per check and episode: {@code CheckFlapping} when the sidecars first report it
 * flapping, {@code CheckStoppedFlapping} (with the state it settled in) when they stop. In between, a change of the
 * HealthCheck's health that only flapping checks caused is announced by no Event (the status still shows it), as
 * Nagios holds notifications of a flapping service. Everything is derived from the two statuses, so a restart or a
 * handover, which compares with the status written before, announces nothing twice.
 */
final class FlapEpisodes {

    static final String REASON_STARTED = "CheckFlapping";
    static final String REASON_STOPPED = "CheckStoppedFlapping";

    private FlapEpisodes() {
    }

    static List<Transition> between(HealthCheckStatus previous, HealthCheckStatus next) {
        Set<String> before = FlappingCondition.flappingChecks(previous);
        Set<String> after = FlappingCondition.flappingChecks(next);
        Map<String, CheckStatus> reported = byName(next);
        List<Transition> transitions = new ArrayList<>();
        for (String check : after) {
            if (!before.contains(check)) {
                transitions.add(new Transition(Transition.WARNING, REASON_STARTED, "check " + check
                        + " is flapping: its state changes more often than its flapDetection allows; Events about "
                        + "the health it causes are held until it settles"));
            }
        }
        for (String check : before) {
            CheckStatus settled = reported.get(check);
            // Not reported (no answer from the sidecars, or the check was removed): nothing to say about it yet.
            if (!after.contains(check) && settled != null) {
                transitions.add(new Transition(Transition.NORMAL, REASON_STOPPED, "check " + check
                        + " stopped flapping: " + stateOf(settled) + " for a whole flapDetection window; health is "
                        + next.getHealth()));
            }
        }
        return transitions;
    }

    /**
     * Whether the checks whose result changed between the two statuses are all flapping (before or after), so the
     * change of health they made is no news. False when a check that does not flap changed, or when either status
     * holds no checks (an unreachable sidecar is news).
     */
    static boolean onlyFlappingChecksChanged(HealthCheckStatus previous, HealthCheckStatus next) {
        Map<String, CheckStatus> before = byName(previous);
        Map<String, CheckStatus> after = byName(next);
        if (before.isEmpty() || after.isEmpty()) {
            return false;
        }
        Set<String> flapping = new HashSet<>(FlappingCondition.flappingChecks(previous));
        flapping.addAll(FlappingCondition.flappingChecks(next));
        Set<String> names = new HashSet<>(before.keySet());
        names.addAll(after.keySet());
        boolean anyChanged = false;
        for (String name : names) {
            CheckStatus was = before.get(name);
            CheckStatus is = after.get(name);
            boolean changed = was == null || is == null || !Objects.equals(was.getHealthy(), is.getHealthy());
            if (changed && (was == null || is == null || !flapping.contains(name))) {
                return false;
            }
            anyChanged |= changed;
        }
        return anyChanged;
    }

    private static String stateOf(CheckStatus check) {
        if (check.getHealthy() == null) {
            return "undecided";
        }
        return check.getHealthy() ? "passing" : "failing";
    }

    private static Map<String, CheckStatus> byName(HealthCheckStatus status) {
        return status.getChecks() == null ? Map.of()
                : status.getChecks().stream().collect(Collectors.toMap(CheckStatus::getName, Function.identity(),
                        (first, second) -> first));
    }
}
