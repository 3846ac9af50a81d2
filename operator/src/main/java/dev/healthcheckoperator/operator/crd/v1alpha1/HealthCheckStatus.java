package dev.healthcheckoperator.operator.crd.v1alpha1;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthCheckStatus {

    @JsonPropertyDescription("The metadata.generation this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("Ready: the sidecars are rolled out and available. Healthy: every check passes. "
            + "Flapping (once a check has flapped): True while a check's state changes more often than its "
            + "flapDetection allows, naming the checks. One entry per type.")
    private List<StatusCondition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Number of sidecar pods ready.")
    private Integer readyReplicas;

    @JsonPropertyDescription("Aggregated health: Healthy, Degraded (a non-critical check fails), Unhealthy (a critical check fails) or Unknown.")
    private Health health;

    @JsonPropertyDescription("In-cluster URL of the sidecars' /health endpoint.")
    private String endpoint;

    @JsonPropertyDescription("Last known result of each check.")
    private List<CheckStatus> checks = new ArrayList<>();

    public Optional<StatusCondition> condition(String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<StatusCondition> getConditions() {
        return conditions;
    }

    public void setConditions(List<StatusCondition> conditions) {
        this.conditions = conditions;
    }

    public Integer getReadyReplicas() {
        return readyReplicas;
    }

    public void setReadyReplicas(Integer readyReplicas) {
        this.readyReplicas = readyReplicas;
    }

    public Health getHealth() {
        return health;
    }

    public void setHealth(Health health) {
        this.health = health;
    }

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public List<CheckStatus> getChecks() {
        return checks;
    }

    public void setChecks(List<CheckStatus> checks) {
        this.checks = checks;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HealthCheckStatus other)) {
            return false;
        }
        return Objects.equals(observedGeneration, other.observedGeneration)
                && Objects.equals(conditions, other.conditions)
                && Objects.equals(readyReplicas, other.readyReplicas) && health == other.health
                && Objects.equals(endpoint, other.endpoint) && Objects.equals(checks, other.checks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, conditions, readyReplicas, health, endpoint, checks);
    }
}
