package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * When a check counts as flapping. The state counted is the one users see, after failureThreshold and
 * successThreshold: failures below the threshold are no change. Left out, flap detection is on with these defaults
 * (the sidecar applies them).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "enabled", "window", "maxTransitions" })
@ValidationRule(value = "self.maxTransitions < self.window", message = "maxTransitions must be less than window",
        fieldPath = ".maxTransitions")
public class FlapDetectionSpec {

    public static final int MIN_WINDOW = 2;
    public static final int MAX_WINDOW = 100;

    @JsonPropertyDescription("Whether the check is watched for flapping.")
    @Default("true")
    private Boolean enabled;

    @JsonPropertyDescription("How many of the check's most recent probes are looked at, from 2 to 100.")
    @Default("20")
    @Min(MIN_WINDOW)
    @Max(MAX_WINDOW)
    private Integer window;

    @JsonPropertyDescription("The check is flapping when its state (passing or failing, after its thresholds) "
            + "changed more than this many times within the last window probes; it stops flapping once the state "
            + "held for a whole window. From 1 to window - 1.")
    @Default("4")
    @Min(1)
    @Max(MAX_WINDOW - 1)
    private Integer maxTransitions;

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public Integer getWindow() {
        return window;
    }

    public void setWindow(Integer window) {
        this.window = window;
    }

    public Integer getMaxTransitions() {
        return maxTransitions;
    }

    public void setMaxTransitions(Integer maxTransitions) {
        this.maxTransitions = maxTransitions;
    }
}
