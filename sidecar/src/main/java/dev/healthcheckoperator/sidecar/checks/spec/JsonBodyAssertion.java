package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An assertion on the upstream's JSON body: the value at {@code path} (e.g. {@code $.status} or
 * {@code $.checks[0].state}) must equal {@code equals} (compared as text, so {@code 1} and {@code true} work too).
 */
@RegisterForReflection
public record JsonBodyAssertion(String path, String equals) {
}
