package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;

/** Passes when grpc.health.v1.Health/Check answers SERVING. */
public class GrpcAction extends NetworkTarget {

    @JsonPropertyDescription("Service name sent in the grpc.health.v1 request; empty asks about the whole server.")
    @Default("")
    @Size(max = 253)
    private String service;

    @JsonPropertyDescription("Speak TLS (HTTP/2 negotiated by ALPN) with these options; without it the call is "
            + "plaintext HTTP/2. An empty object uses the sidecar's default trust store.")
    private TlsOptions tls;

    public TlsOptions getTls() {
        return tls;
    }

    public void setTls(TlsOptions tls) {
        this.tls = tls;
    }

    public String getService() {
        return service;
    }

    public void setService(String service) {
        this.service = service;
    }
}
