package dev.healthcheckoperator.operator.crd.v1alpha1;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Required;

/** Last known result of one check. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckStatus {

    @JsonPropertyDescription("Name of the check; the key of this list.")
    @Required
    private String name;

    @JsonPropertyDescription("Whether the check passes; absent while its result is unknown.")
    private Boolean healthy;

    @JsonPropertyDescription("Why the check is in this state, as reported by the sidecar (CamelCase).")
    private String reason;

    @JsonPropertyDescription("Details of the last failure.")
    private String message;

    @JsonPropertyDescription("When healthy last changed.")
    private String lastTransitionTime;

    @JsonPropertyDescription("True while the check flaps: its state changed more often than its flapDetection "
            + "allows. Absent otherwise.")
    private Boolean flapping;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public Boolean getHealthy() {
        return healthy;
    }

    public void setHealthy(Boolean healthy) {
        this.healthy = healthy;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public String getLastTransitionTime() {
        return lastTransitionTime;
    }

    public void setLastTransitionTime(String lastTransitionTime) {
        this.lastTransitionTime = lastTransitionTime;
    }

    public Boolean getFlapping() {
        return flapping;
    }

    public void setFlapping(Boolean flapping) {
        this.flapping = flapping;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CheckStatus other)) {
            return false;
        }
        return Objects.equals(name, other.name) && Objects.equals(healthy, other.healthy)
                && Objects.equals(reason, other.reason) && Objects.equals(message, other.message)
                && Objects.equals(lastTransitionTime, other.lastTransitionTime)
                && Objects.equals(flapping, other.flapping);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, healthy, reason, message, lastTransitionTime, flapping);
    }
}
