package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Required;

/**
 * A value kept in a Secret rather than in the HealthCheck: the sidecar pod mounts the key and the sidecar reads it
 * before each probe, so the value never reaches the checks-file ConfigMap, the status or an Event, and a changed
 * Secret is used without a restart.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretValueSource {

    @JsonPropertyDescription("A key of a Secret in the HealthCheck's namespace. It is mounted read-only into the "
            + "sidecar pod and read before each probe: a changed Secret is used once the kubelet has updated the "
            + "mounted file (up to about a minute), without a restart. A missing Secret or key sets Ready=False with "
            + "reason SecretNotFound.")
    @Required
    private SecretKeyRef secretKeyRef;

    public SecretValueSource() {
    }

    public SecretValueSource(SecretKeyRef secretKeyRef) {
        this.secretKeyRef = secretKeyRef;
    }

    public SecretKeyRef getSecretKeyRef() {
        return secretKeyRef;
    }

    public void setSecretKeyRef(SecretKeyRef secretKeyRef) {
        this.secretKeyRef = secretKeyRef;
    }
}
