package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A TLS handshake with {@code host:port} whose leaf certificate must be trusted, name {@code serverName} (or the
 * host) and not expire within {@code expiresWithinDays}. {@code insecureSkipTlsVerify} judges the expiry alone.
 * {@code tls} holds the same options as an https or gRPC check (a CA bundle, a client certificate for a server that
 * requires one, the server name); the check's own {@code serverName} and {@code insecureSkipTlsVerify} are folded
 * into them.
 */
@RegisterForReflection
public record TlsCertificateAction(String host, Integer port, String serverName, Integer expiresWithinDays,
        Boolean insecureSkipTlsVerify, TlsOptions tls) {

    public static final int DEFAULT_EXPIRES_WITHIN_DAYS = 14;

    /** Without tls options: the system trust, no client certificate. */
    public TlsCertificateAction(String host, Integer port, String serverName, Integer expiresWithinDays,
            Boolean insecureSkipTlsVerify) {
        this(host, port, serverName, expiresWithinDays, insecureSkipTlsVerify, null);
    }

    public int expiresWithinDaysOrDefault() {
        return expiresWithinDays == null ? DEFAULT_EXPIRES_WITHIN_DAYS : expiresWithinDays;
    }

    /**
     * The TLS options with the check's own {@code serverName} and {@code insecureSkipTlsVerify} folded in (the
     * loader refuses a server name given twice; either skip flag skips verification).
     */
    public TlsOptions tlsOrDefault() {
        TlsOptions options = tls == null ? TlsOptions.DEFAULT : tls;
        String name = options.serverName() != null ? options.serverName() : serverName;
        boolean skip = options.skipsVerify() || Boolean.TRUE.equals(insecureSkipTlsVerify);
        return new TlsOptions(options.caFile(), options.certFile(), options.keyFile(), name, skip ? true : null);
    }

    /** The name sent as SNI and verified against the certificate. */
    public String verifiedName() {
        String name = tlsOrDefault().serverName();
        return name == null || name.isEmpty() ? host : name;
    }

    public boolean verifies() {
        return !tlsOrDefault().skipsVerify();
    }
}
