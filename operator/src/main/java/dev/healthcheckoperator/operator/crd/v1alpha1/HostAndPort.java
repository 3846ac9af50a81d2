package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** A host and port the sidecar connects to; required for TCP and gRPC checks, an alternative to url for HTTP. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class HostAndPort {

    /** A DNS name or an IPv4 address. */
    public static final String HOST_PATTERN = "^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$";

    @JsonPropertyDescription("DNS name or IPv4 address to connect to, e.g. postgres.shop.svc.")
    @Pattern(HOST_PATTERN)
    @Size(max = 253)
    private String host;

    @JsonPropertyDescription("TCP port to connect to.")
    @Min(1)
    @Max(65535)
    private Integer port;

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }
}
