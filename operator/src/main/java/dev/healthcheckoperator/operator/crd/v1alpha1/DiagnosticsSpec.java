package dev.healthcheckoperator.operator.crd.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;

/** The sidecar's diagnostics endpoint; it is never served without a token. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!self.enabled || has(self.tokenSecretRef)",
        message = "tokenSecretRef is required when diagnostics are enabled", fieldPath = ".tokenSecretRef")
public class DiagnosticsSpec {

    @JsonPropertyDescription("Whether the sidecar serves its diagnostics endpoint.")
    @Default("false")
    private Boolean enabled = false;

    @JsonPropertyDescription("Port of the diagnostics endpoint; must differ from spec.port.")
    @Default("9000")
    @Min(1)
    @Max(65535)
    private Integer port = 9000;

    @JsonPropertyDescription("Secret key holding the bearer token that diagnostics requests must present.")
    private SecretKeyRef tokenSecretRef;

    @JsonPropertyDescription("Who may reach the diagnostics port from the pod network. Empty (the default): the "
            + "sidecar binds it to 127.0.0.1 only, so only kubectl port-forward reaches it. Not empty: it binds all "
            + "addresses and the operator adds a NetworkPolicy that admits these peers, and nobody else, to the "
            + "diagnostics port (the health port stays open). Needs a network plugin that enforces NetworkPolicy.")
    @Size(max = 16)
    private List<NetworkPolicyPeer> allowFrom;

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public SecretKeyRef getTokenSecretRef() {
        return tokenSecretRef;
    }

    public void setTokenSecretRef(SecretKeyRef tokenSecretRef) {
        this.tokenSecretRef = tokenSecretRef;
    }

    public List<NetworkPolicyPeer> getAllowFrom() {
        return allowFrom;
    }

    public void setAllowFrom(List<NetworkPolicyPeer> allowFrom) {
        this.allowFrom = allowFrom;
    }
}
