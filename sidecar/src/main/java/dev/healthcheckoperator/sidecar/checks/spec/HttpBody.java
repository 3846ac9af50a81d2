package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The request body of an {@code httpGet} check with {@code method: POST}: {@code value}, sent as it is (UTF-8). */
@RegisterForReflection
public record HttpBody(String value) {
}
