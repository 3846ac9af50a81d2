package dev.healthcheckoperator.operator.crd.v1alpha1;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A condition shaped exactly like metav1.Condition (the same fields, limits and patterns), so tools that read
 * conditions (kubectl wait, kstatus, Argo CD) understand it. fabric8's Condition carries none of the limits.
 * The status stays a String in Java; its schema is the enum of {@link ConditionStatus}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "type", "status", "observedGeneration", "lastTransitionTime", "reason", "message" })
public class StatusCondition {

    @JsonPropertyDescription("Type of the condition in CamelCase: Ready or Healthy.")
    @Required
    @Pattern("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$")
    @Size(max = 316)
    private String type;

    @JsonPropertyDescription("True, False or Unknown.")
    @Required
    @SchemaFrom(type = ConditionStatus.class)
    private String status;

    @JsonPropertyDescription("The metadata.generation this condition was set from.")
    @Min(0)
    private Long observedGeneration;

    @JsonPropertyDescription("When the status last changed (RFC 3339).")
    @Required
    private String lastTransitionTime;

    @JsonPropertyDescription("Why the condition is in this state, in CamelCase.")
    @Required
    @Pattern("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")
    @Size(min = 1, max = 1024)
    private String reason;

    @JsonPropertyDescription("Details for a human; may be empty.")
    @Required
    @Size(max = 32768)
    private String message;

    public StatusCondition() {
    }

    public StatusCondition(String type, String status, Long observedGeneration, String lastTransitionTime,
            String reason, String message) {
        this.type = type;
        this.status = status;
        this.observedGeneration = observedGeneration;
        this.lastTransitionTime = lastTransitionTime;
        this.reason = reason;
        this.message = message;
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public String getLastTransitionTime() {
        return lastTransitionTime;
    }

    public void setLastTransitionTime(String lastTransitionTime) {
        this.lastTransitionTime = lastTransitionTime;
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

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof StatusCondition other)) {
            return false;
        }
        return Objects.equals(type, other.type) && Objects.equals(status, other.status)
                && Objects.equals(observedGeneration, other.observedGeneration)
                && Objects.equals(lastTransitionTime, other.lastTransitionTime)
                && Objects.equals(reason, other.reason) && Objects.equals(message, other.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, status, observedGeneration, lastTransitionTime, reason, message);
    }

    @Override
    public String toString() {
        return type + "=" + status + " (" + reason + ": " + message + ")";
    }
}
