package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A TLS handshake with {@code host:port} whose leaf certificate must be trusted, name {@code serverName} (or the
 * host) and not expire within {@code expiresWithinDays}. {@code insecureSkipTlsVerify} judges the expiry alone.
 */
@RegisterForReflection
public record TlsCertificateAction(String host, Integer port, String serverName, Integer expiresWithinDays,
        Boolean insecureSkipTlsVerify) {

    public static final int DEFAULT_EXPIRES_WITHIN_DAYS = 14;

    public int expiresWithinDaysOrDefault() {
        return expiresWithinDays == null ? DEFAULT_EXPIRES_WITHIN_DAYS : expiresWithinDays;
    }

    /** The name sent as SNI and verified against the certificate. */
    public String verifiedName() {
        return serverName == null || serverName.isEmpty() ? host : serverName;
    }

    public boolean verifies() {
        return !Boolean.TRUE.equals(insecureSkipTlsVerify);
    }
}
