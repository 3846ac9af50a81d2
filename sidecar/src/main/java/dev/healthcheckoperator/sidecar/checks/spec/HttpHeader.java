package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One request header of an {@code httpGet} check, as in a Kubernetes probe's {@code httpHeaders}. */
@RegisterForReflection
public record HttpHeader(String name, String value) {
}
