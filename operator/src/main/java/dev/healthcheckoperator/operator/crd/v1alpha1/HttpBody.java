package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The request body of an httpGet check with method POST: written here, or taken from a Secret key. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.value) != has(self.valueFrom)", message = "set exactly one of value or valueFrom",
        fieldPath = ".value")
public class HttpBody {

    /** A body is a probe, not an upload; the sidecar refuses longer ones too. */
    public static final int MAX_LENGTH = 8192;

    @JsonPropertyDescription("The body, sent as it is (UTF-8), at most 8192 characters. Exactly one of value or "
            + "valueFrom.")
    @Size(max = MAX_LENGTH)
    private String value;

    @JsonPropertyDescription("Take the body from a Secret key instead (e.g. a query holding a credential): it is sent "
            + "as its bytes are, at most 8192 bytes, and never reaches the ConfigMap, the status or an Event. A body "
            + "the sidecar cannot read fails the check with reason SecretUnreadable.")
    private SecretValueSource valueFrom;

    public HttpBody() {
    }

    public HttpBody(String value) {
        this.value = value;
    }

    public SecretValueSource getValueFrom() {
        return valueFrom;
    }

    public void setValueFrom(SecretValueSource valueFrom) {
        this.valueFrom = valueFrom;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }
}
