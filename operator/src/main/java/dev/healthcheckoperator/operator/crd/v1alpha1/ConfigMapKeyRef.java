package dev.healthcheckoperator.operator.crd.v1alpha1;

/** A key of a ConfigMap in the HealthCheck's namespace. */
public class ConfigMapKeyRef extends KeyRef {

    public ConfigMapKeyRef() {
    }

    public ConfigMapKeyRef(String name, String key) {
        super(name, key);
    }
}
