package dev.healthcheckoperator.operator.crd.v1alpha1;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.timeoutSeconds < self.periodSeconds",
        message = "timeoutSeconds must be less than periodSeconds", fieldPath = ".timeoutSeconds")
@ValidationRule(value = "!has(self.checks) || self.checks.all(c,"
        + " (has(c.timeoutSeconds) ? c.timeoutSeconds : self.timeoutSeconds)"
        + " < (has(c.periodSeconds) ? c.periodSeconds : self.periodSeconds))",
        message = "each check's timeoutSeconds (or the spec's default) must be less than its periodSeconds (or the spec's default)",
        fieldPath = ".checks")
@ValidationRule(value = "!has(self.diagnostics) || !self.diagnostics.enabled || self.diagnostics.port != self.port",
        message = "diagnostics.port must differ from port", fieldPath = ".diagnostics.port")
public class HealthCheckSpec extends ProbeTimings {

    public static final int MAX_CHECKS = 64;

    @JsonPropertyDescription("Number of probe-sidecar replicas.")
    @Default("1")
    @Min(1)
    @Max(10)
    private Integer replicas = 1;

    @JsonPropertyDescription("Sidecar container image. Empty means the sidecar image that matches the operator's version.")
    @Pattern("^[^\\s]*$")
    @Size(max = 512)
    private String image;

    @JsonPropertyDescription("Port of the sidecar's /health endpoint, also exposed by the Service.")
    @Default("8080")
    @Min(1)
    @Max(65535)
    private Integer port = 8080;

    @JsonPropertyDescription("The checks the sidecar runs; names are unique.")
    @Size(max = MAX_CHECKS)
    @ValidationRule(value = "self.all(c, self.exists_one(d, d.name == c.name))", message = "check names must be unique")
    private List<CheckSpec> checks;

    @JsonPropertyDescription("The sidecar's token-protected diagnostics endpoint.")
    private DiagnosticsSpec diagnostics;

    @JsonPropertyDescription("CPU and memory of the sidecar container; small defaults apply when empty.")
    private ResourceRequirements resources;

    @JsonPropertyDescription("Node labels the sidecar pods must be scheduled on.")
    private Map<String, String> nodeSelector;

    @JsonPropertyDescription("Tolerations of the sidecar pods.")
    private List<Toleration> tolerations;

    @JsonPropertyDescription("Affinity rules of the sidecar pods.")
    private Affinity affinity;

    @JsonPropertyDescription("Extra labels on the sidecar pods; app.kubernetes.io/ labels belong to the operator.")
    @ValidationRule(value = "self.all(k, !k.startsWith('app.kubernetes.io/'))",
            message = "podLabels must not set app.kubernetes.io/ labels: the operator sets them")
    private Map<String, String> podLabels;

    @JsonPropertyDescription("Extra annotations on the sidecar pods.")
    private Map<String, String> podAnnotations;

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    @Override
    @Default("10")
    public Integer getPeriodSeconds() {
        return super.getPeriodSeconds();
    }

    @Override
    @Default("2")
    public Integer getTimeoutSeconds() {
        return super.getTimeoutSeconds();
    }

    @Override
    @Default("3")
    public Integer getFailureThreshold() {
        return super.getFailureThreshold();
    }

    @Override
    @Default("1")
    public Integer getSuccessThreshold() {
        return super.getSuccessThreshold();
    }

    public List<CheckSpec> getChecks() {
        return checks;
    }

    public void setChecks(List<CheckSpec> checks) {
        this.checks = checks;
    }

    public DiagnosticsSpec getDiagnostics() {
        return diagnostics;
    }

    public void setDiagnostics(DiagnosticsSpec diagnostics) {
        this.diagnostics = diagnostics;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public Map<String, String> getNodeSelector() {
        return nodeSelector;
    }

    public void setNodeSelector(Map<String, String> nodeSelector) {
        this.nodeSelector = nodeSelector;
    }

    public List<Toleration> getTolerations() {
        return tolerations;
    }

    public void setTolerations(List<Toleration> tolerations) {
        this.tolerations = tolerations;
    }

    public Affinity getAffinity() {
        return affinity;
    }

    public void setAffinity(Affinity affinity) {
        this.affinity = affinity;
    }

    public Map<String, String> getPodLabels() {
        return podLabels;
    }

    public void setPodLabels(Map<String, String> podLabels) {
        this.podLabels = podLabels;
    }

    public Map<String, String> getPodAnnotations() {
        return podAnnotations;
    }

    public void setPodAnnotations(Map<String, String> podAnnotations) {
        this.podAnnotations = podAnnotations;
    }
}
