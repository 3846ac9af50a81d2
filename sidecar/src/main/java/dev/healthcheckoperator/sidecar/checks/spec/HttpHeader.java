package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One request header of an {@code httpGet} check, as in a Kubernetes probe's {@code httpHeaders}: its value either
 * given ({@code value}) or read from a file ({@code valueFile}, a mounted Secret key) each time a request is built,
 * so that the value never appears in the checks file and a rotated Secret is sent by the next probe.
 */
@RegisterForReflection
public record HttpHeader(String name, String value, String valueFile) {

    public HttpHeader(String name, String value) {
        this(name, value, null);
    }
}
