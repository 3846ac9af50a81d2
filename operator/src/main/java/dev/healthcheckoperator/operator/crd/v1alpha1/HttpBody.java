package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The request body of an httpGet check with method POST. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HttpBody {

    /** A body is a probe, not an upload; the sidecar refuses longer ones too. */
    public static final int MAX_LENGTH = 8192;

    @JsonPropertyDescription("The body, sent as it is (UTF-8), at most 8192 characters.")
    @Required
    @Size(max = MAX_LENGTH)
    private String value;

    public HttpBody() {
    }

    public HttpBody(String value) {
        this.value = value;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }
}
