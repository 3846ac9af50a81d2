package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One upstream check. Exactly one of {@code httpGet}, {@code tcpSocket}, {@code grpc}; timing values left
 * out take the file's defaults, and {@code flapDetection} left out is on with its defaults.
 */
@RegisterForReflection
public record CheckDefinition(
        String name,
        Boolean critical,
        Integer periodSeconds,
        Integer timeoutSeconds,
        Integer failureThreshold,
        Integer successThreshold,
        FlapDetection flapDetection,
        HttpGetAction httpGet,
        TcpSocketAction tcpSocket,
        GrpcAction grpc) {
}
