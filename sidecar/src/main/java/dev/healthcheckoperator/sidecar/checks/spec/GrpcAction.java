package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A standard {@code grpc.health.v1.Health/Check} call over HTTP/2, shaped like a Kubernetes probe's {@code grpc}:
 * plaintext (prior knowledge), or TLS (ALPN h2) when {@code tls} is set; {@code service} empty asks for the
 * server's overall health.
 */
@RegisterForReflection
public record GrpcAction(String host, Integer port, String service, TlsOptions tls) {

    public GrpcAction(String host, Integer port, String service) {
        this(host, port, service, null);
    }

    public boolean usesTls() {
        return tls != null;
    }

    public String serviceOrEmpty() {
        return service == null ? "" : service;
    }
}
