package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A key of a Secret or ConfigMap in the HealthCheck's namespace; the subclass says which. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class KeyRef {

    /** A DNS subdomain, the name of a Secret or ConfigMap. */
    public static final String OBJECT_NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    public static final String KEY_PATTERN = "^[-._a-zA-Z0-9]+$";
    /** The API server refuses such keys in a Secret or ConfigMap, and the kubelet such file names in a volume. */
    public static final String KEY_RULE = "self != '.' && !self.startsWith('..')";
    public static final String KEY_RULE_MESSAGE = "key must not be '.' or start with '..'";

    @JsonPropertyDescription("Name of the object, in the HealthCheck's namespace.")
    @Required
    @Pattern(OBJECT_NAME_PATTERN)
    @Size(max = 253)
    private String name;

    @JsonPropertyDescription("Key in the object whose value is used.")
    @Required
    @Pattern(KEY_PATTERN)
    @Size(max = 253)
    @ValidationRule(value = KEY_RULE, message = KEY_RULE_MESSAGE)
    private String key;

    protected KeyRef() {
    }

    protected KeyRef(String name, String key) {
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
