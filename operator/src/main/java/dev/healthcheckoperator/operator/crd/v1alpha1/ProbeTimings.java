package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * The four timings of a check, under the names of the sidecar's file: spec-wide defaults on {@link HealthCheckSpec}
 * (which declares their default values), per-check overrides on {@link CheckSpec}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class ProbeTimings {

    static final long MAX_PERIOD_SECONDS = 3600;
    static final long MAX_THRESHOLD = 100;

    @JsonPropertyDescription("Seconds between two runs of a check: on spec the default for every check, on a "
            + "check its own value (spec.periodSeconds when empty).")
    @Min(1)
    @Max(MAX_PERIOD_SECONDS)
    private Integer periodSeconds;

    @JsonPropertyDescription("Seconds after which a run of a check counts as failed, less than periodSeconds: on "
            + "spec the default for every check, on a check its own value (spec.timeoutSeconds when empty).")
    @Min(1)
    @Max(MAX_PERIOD_SECONDS)
    private Integer timeoutSeconds;

    @JsonPropertyDescription("Consecutive failures after which a check is failing: on spec the default for every "
            + "check, on a check its own value (spec.failureThreshold when empty).")
    @Min(1)
    @Max(MAX_THRESHOLD)
    private Integer failureThreshold;

    @JsonPropertyDescription("Consecutive successes after which a failing check is ok again: on spec the default "
            + "for every check, on a check its own value (spec.successThreshold when empty).")
    @Min(1)
    @Max(MAX_THRESHOLD)
    private Integer successThreshold;

    public Integer getPeriodSeconds() {
        return periodSeconds;
    }

    public void setPeriodSeconds(Integer periodSeconds) {
        this.periodSeconds = periodSeconds;
    }

    public Integer getTimeoutSeconds() {
        return timeoutSeconds;
    }

    public void setTimeoutSeconds(Integer timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
    }

    public Integer getFailureThreshold() {
        return failureThreshold;
    }

    public void setFailureThreshold(Integer failureThreshold) {
        this.failureThreshold = failureThreshold;
    }

    public Integer getSuccessThreshold() {
        return successThreshold;
    }

    public void setSuccessThreshold(Integer successThreshold) {
        this.successThreshold = successThreshold;
    }
}
