package dev.healthcheckoperator.operator.reconciler;

import java.util.List;
import java.util.regex.Pattern;

import dev.healthcheckoperator.operator.crd.v1alpha1.StatusCondition;

/** A condition as the reconciler decides it, before it gets its generation and transition time. */
public record ConditionState(String type, String status, String reason, String message) {

    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    /** metav1.Condition's reason pattern; the schema refuses a status write with any other reason. */
    private static final Pattern REASON = Pattern.compile("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$");
    private static final int MAX_REASON_LENGTH = 1024;
    /** Well below metav1.Condition's 32768: a status is read by people, and an API error can be long. */
    static final int MAX_MESSAGE_LENGTH = 4096;

    public ConditionState {
        // A reason from elsewhere (a sidecar's report) that the schema would refuse must not block the status write.
        if (reason == null || reason.length() > MAX_REASON_LENGTH || !REASON.matcher(reason).matches()) {
            reason = "Unknown";
        }
        message = message == null ? "" : truncate(message);
    }

    static String truncate(String message) {
        return message.length() <= MAX_MESSAGE_LENGTH ? message
                : message.substring(0, MAX_MESSAGE_LENGTH - 3) + "...";
    }

    /**
     * The condition to write: lastTransitionTime is kept while the status stays the same, so a reason or message
     * change alone does not look like a transition.
     */
    public StatusCondition toCondition(List<StatusCondition> previous, Long generation, String now) {
        String transitionTime = previous == null ? now
                : previous.stream()
                        .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                        .map(StatusCondition::getLastTransitionTime)
                        .findFirst()
                        .orElse(now);
        return new StatusCondition(type, status, generation, transitionTime, reason, message);
    }
}
