package dev.healthcheckoperator.operator.crd.v1alpha1;

/** A key of a Secret in the HealthCheck's namespace. */
public class SecretKeyRef extends KeyRef {

    public SecretKeyRef() {
    }

    public SecretKeyRef(String name, String key) {
        super(name, key);
    }
}
