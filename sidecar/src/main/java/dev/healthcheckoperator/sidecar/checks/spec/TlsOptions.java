package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * How a check speaks TLS, shared by every check kind that does: the files of a CA bundle to trust instead of the
 * system's ({@code caFile}), of a client certificate and its key for mutual TLS ({@code certFile},
 * {@code keyFile}), the name the server's certificate must carry and that is sent as SNI ({@code serverName},
 * by default the host connected to), and whether the server's certificate is not verified at all. The files are
 * mounted ConfigMap and Secret keys, read again before each probe so that a rotated certificate is used without a
 * restart.
 */
@RegisterForReflection
public record TlsOptions(String caFile, String certFile, String keyFile, String serverName,
        Boolean insecureSkipTlsVerify) {

    public static final TlsOptions DEFAULT = new TlsOptions(null, null, null, null, null);

    public boolean skipsVerify() {
        return Boolean.TRUE.equals(insecureSkipTlsVerify);
    }

    /** Whether anything must be read from files before a connection can be made. */
    public boolean readsFiles() {
        return caFile != null || certFile != null || keyFile != null;
    }
}
