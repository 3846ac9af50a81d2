package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.value) != has(self.valueFrom)", message = "set exactly one of value or valueFrom")
@ValidationRule(value = "!has(self.valueFrom) || self.name.lowerAscii() != 'host'",
        message = "a Host header takes a value, not valueFrom", fieldPath = ".valueFrom")
public class HttpHeader {

    @JsonPropertyDescription("Header name (an HTTP token, e.g. X-Probe).")
    @Required
    @Pattern("^[-A-Za-z0-9!#$%&'*+.^_`|~]+$")
    @Size(max = 256)
    private String name;

    /** Visible ASCII, spaces and tabs: a control character would make the sidecar's request impossible to send. */
    public static final String VALUE_PATTERN = "^[\\t\\x20-\\x7E]*$";

    @JsonPropertyDescription("Header value: visible ASCII characters, spaces and tabs (no control characters). "
            + "A Host or User-Agent header replaces the sidecar's default. Exactly one of value or valueFrom.")
    @Pattern(VALUE_PATTERN)
    @Size(max = 4096)
    private String value;

    @JsonPropertyDescription("Take the value from a Secret key instead (e.g. an Authorization token): the value, at "
            + "most 4096 characters of visible ASCII (one line ending at the end is dropped), never reaches the "
            + "ConfigMap, the status or an Event. A value the sidecar cannot use fails the check with reason "
            + "SecretUnreadable.")
    private SecretValueSource valueFrom;

    public HttpHeader() {
    }

    public HttpHeader(String name, String value) {
        this.name = name;
        this.value = value;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }

    public SecretValueSource getValueFrom() {
        return valueFrom;
    }

    public void setValueFrom(SecretValueSource valueFrom) {
        this.valueFrom = valueFrom;
    }
}
