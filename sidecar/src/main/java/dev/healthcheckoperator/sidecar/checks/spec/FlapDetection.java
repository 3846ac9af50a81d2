package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A check's {@code flapDetection} as written in the file; every field may be left out (see {@link FlapLimits}
 * for the defaults).
 */
@RegisterForReflection
public record FlapDetection(Boolean enabled, Integer window, Integer maxTransitions) {
}
