package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A TCP connect check, shaped like a Kubernetes probe's {@code tcpSocket}. */
@RegisterForReflection
public record TcpSocketAction(String host, Integer port) {
}
