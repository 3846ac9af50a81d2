package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.ValidationRule;

/** Where the PEM CA bundle to trust is: a ConfigMap key (a CA is public) or a Secret key. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.configMapKeyRef) != has(self.secretKeyRef)",
        message = "set exactly one of configMapKeyRef or secretKeyRef")
public class CaBundleRef {

    @JsonPropertyDescription("A ConfigMap key holding the PEM CA certificates, e.g. the ca.crt of a cert-manager "
            + "trust bundle.")
    private ConfigMapKeyRef configMapKeyRef;

    @JsonPropertyDescription("A Secret key holding the PEM CA certificates, e.g. ca.crt of a kubernetes.io/tls Secret.")
    private SecretKeyRef secretKeyRef;

    public ConfigMapKeyRef getConfigMapKeyRef() {
        return configMapKeyRef;
    }

    public void setConfigMapKeyRef(ConfigMapKeyRef configMapKeyRef) {
        this.configMapKeyRef = configMapKeyRef;
    }

    public SecretKeyRef getSecretKeyRef() {
        return secretKeyRef;
    }

    public void setSecretKeyRef(SecretKeyRef secretKeyRef) {
        this.secretKeyRef = secretKeyRef;
    }
}
