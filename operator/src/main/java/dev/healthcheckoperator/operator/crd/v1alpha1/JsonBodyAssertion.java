package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An assertion on the JSON response body: the value at {@code path} must equal {@code equals}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JsonBodyAssertion {

    @JsonPropertyDescription("JSONPath into the response body, starting with '$', e.g. $.status.")
    @Required
    @Pattern("^\\$.*$")
    @Size(max = 512)
    private String path;

    @JsonPropertyDescription("Expected value at path, compared as text.")
    @Required
    @Size(max = 1024)
    private String equals;

    public JsonBodyAssertion() {
    }

    public JsonBodyAssertion(String path, String equals) {
        this.path = path;
        this.equals = equals;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public String getEquals() {
        return equals;
    }

    public void setEquals(String equals) {
        this.equals = equals;
    }
}
