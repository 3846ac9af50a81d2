package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A standard {@code grpc.health.v1.Health/Check} call over plaintext HTTP/2, shaped like a Kubernetes
 * probe's {@code grpc}; {@code service} empty asks for the server's overall health.
 */
@RegisterForReflection
public record GrpcAction(String host, Integer port, String service) {

    public String serviceOrEmpty() {
        return service == null ? "" : service;
    }
}
