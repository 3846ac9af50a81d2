package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The checks file: its format version (absent means 1), defaults for every check, and the checks. The operator
 * renders it from the HealthCheck spec.
 */
@RegisterForReflection
public record ChecksFile(
        Integer version,
        Integer periodSeconds,
        Integer timeoutSeconds,
        Integer failureThreshold,
        Integer successThreshold,
        List<CheckDefinition> checks) {

    public static final ChecksFile EMPTY = new ChecksFile(null, null, null, null, null, List.of());

    public List<CheckDefinition> checksOrEmpty() {
        return checks == null ? List.of() : checks;
    }
}
