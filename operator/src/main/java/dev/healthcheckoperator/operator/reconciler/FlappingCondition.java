package dev.healthcheckoperator.operator.reconciler;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.StatusCondition;
import dev.healthcheckoperator.operator.health.CheckReport;
import dev.healthcheckoperator.operator.health.HealthReport;

/**
 * Flapping: True while the sidecars report a check whose state changes more often than its flapDetection allows,
 * False once none does. It is absent until a check first flaps (an abnormal-true condition, as kstatus reads them),
 * and held as it is while the sidecars give no report, since nothing has been decided then.
 * <p>
 * The reason cannot name the checks (metav1.Condition reasons allow no '-', check names do), so the message does,
 * in a fixed form the next reconciliation reads back when the checks list is empty (see {@link #flappingChecks}).
 */
public final class FlappingCondition {

    public static final String TYPE = "Flapping";
    public static final String REASON_FLAPPING = "ChecksFlapping";
    public static final String REASON_STABLE = "NoChecksFlapping";
    private static final String NAMES_END = ": ";

    private FlappingCondition() {
    }

    /** The next Flapping condition, or null while it has never been set. */
    static StatusCondition next(HealthReport report, HealthCheckStatus previous, Long generation, String now) {
        StatusCondition shown = previous.condition(TYPE).orElse(null);
        if (report.checks().isEmpty()) {
            return shown;
        }
        List<String> flapping = report.checks().stream().filter(CheckReport::flapping).map(CheckReport::name)
                .sorted().toList();
        if (flapping.isEmpty() && shown == null) {
            return null;
        }
        ConditionState state = flapping.isEmpty()
                ? new ConditionState(TYPE, ConditionState.FALSE, REASON_STABLE, "no check is flapping")
                : new ConditionState(TYPE, ConditionState.TRUE, REASON_FLAPPING, String.join(", ", flapping)
                        + NAMES_END + "state changed more often than flapDetection allows; Events about the health "
                        + "these checks cause are held until they settle");
        return state.toCondition(previous.getConditions(), generation, now);
    }

    /**
     * The checks a status shows flapping: from its checks, or, when it holds none (the sidecars gave no report),
     * from its Flapping condition.
     */
    static Set<String> flappingChecks(HealthCheckStatus status) {
        if (status.getChecks() != null && !status.getChecks().isEmpty()) {
            return status.getChecks().stream().filter(c -> Boolean.TRUE.equals(c.getFlapping()))
                    .map(CheckStatus::getName).collect(Collectors.toCollection(TreeSet::new));
        }
        return status.condition(TYPE).filter(c -> ConditionState.TRUE.equals(c.getStatus()))
                .filter(c -> c.getMessage().contains(NAMES_END))
                .map(c -> Arrays.stream(c.getMessage().substring(0, c.getMessage().indexOf(NAMES_END)).split(", "))
                        .collect(Collectors.toCollection(TreeSet::new)))
                .orElseGet(TreeSet::new);
    }
}
