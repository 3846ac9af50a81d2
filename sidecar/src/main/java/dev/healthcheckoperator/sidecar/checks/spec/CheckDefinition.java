package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One upstream check. Exactly one of {@code httpGet}, {@code tcpSocket}, {@code grpc}, {@code dns},
 * {@code tlsCertificate}; timing values left out take the file's defaults, and {@code flapDetection} left out is
 * on with its defaults.
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
        GrpcAction grpc,
        DnsAction dns,
        TlsCertificateAction tlsCertificate) {

    /** A check of one of the first three kinds. */
    public CheckDefinition(String name, Boolean critical, Integer periodSeconds, Integer timeoutSeconds,
            Integer failureThreshold, Integer successThreshold, HttpGetAction httpGet, TcpSocketAction tcpSocket,
            GrpcAction grpc) {
        this(name, critical, periodSeconds, timeoutSeconds, failureThreshold, successThreshold, null, httpGet,
                tcpSocket, grpc, null, null);
    }

    /** A check of one of the first three kinds, with its flap detection. */
    public CheckDefinition(String name, Boolean critical, Integer periodSeconds, Integer timeoutSeconds,
            Integer failureThreshold, Integer successThreshold, FlapDetection flapDetection, HttpGetAction httpGet,
            TcpSocketAction tcpSocket, GrpcAction grpc) {
        this(name, critical, periodSeconds, timeoutSeconds, failureThreshold, successThreshold, flapDetection,
                httpGet, tcpSocket, grpc, null, null);
    }
}
