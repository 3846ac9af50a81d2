package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A key of a ConfigMap in the HealthCheck's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConfigMapKeyRef {

    @JsonPropertyDescription("Name of the ConfigMap, in the HealthCheck's namespace.")
    @Required
    @Pattern(SecretKeyRef.OBJECT_NAME_PATTERN)
    @Size(max = 253)
    private String name;

    @JsonPropertyDescription("Key in the ConfigMap.")
    @Required
    @Pattern(SecretKeyRef.KEY_PATTERN)
    @Size(max = 253)
    @ValidationRule(value = SecretKeyRef.KEY_RULE, message = SecretKeyRef.KEY_RULE_MESSAGE)
    private String key;

    public ConfigMapKeyRef() {
    }

    public ConfigMapKeyRef(String name, String key) {
        this.name = name;
        this.key = key;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }
}
