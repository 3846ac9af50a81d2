package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The request body of an {@code httpGet} check with {@code method: POST}: {@code value}, sent as it is (UTF-8), or
 * the content of {@code valueFile} (a mounted Secret key), read again before each probe so that a rotated Secret is
 * sent without a restart. Exactly one of them.
 */
@RegisterForReflection
public record HttpBody(String value, String valueFile) {

    public HttpBody(String value) {
        this(value, null);
    }
}
