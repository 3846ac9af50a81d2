package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How a check verifies the server and authenticates itself over TLS; the same options for every check kind that
 * speaks TLS. The referenced keys are mounted into the sidecar pod, never copied into its ConfigMap, and read again
 * before each probe.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.caBundleRef) || !has(self.insecureSkipTlsVerify) || !self.insecureSkipTlsVerify",
        message = "caBundleRef has no effect with insecureSkipTlsVerify: set one of them", fieldPath = ".caBundleRef")
public class TlsOptions {

    /** An SNI host name: a DNS name (no port, no IP address needed for SNI). */
    public static final String SERVER_NAME_PATTERN = "^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$";

    @JsonPropertyDescription("PEM CA certificates that the server's certificate must chain to, instead of the "
            + "sidecar's default trust store.")
    private CaBundleRef caBundleRef;

    @JsonPropertyDescription("A kubernetes.io/tls Secret (keys tls.crt and tls.key, PEM) whose certificate the "
            + "sidecar presents for mutual TLS.")
    private SecretRef clientCertificateSecretRef;

    @JsonPropertyDescription("Name the server's certificate must carry, also sent as SNI; defaults to the host "
            + "connected to. The connection still goes to the check's host; the Host header is unchanged.")
    @Pattern(SERVER_NAME_PATTERN)
    @Size(max = 253)
    private String serverName;

    @JsonPropertyDescription("Accept any server certificate, unverified (the connection is still encrypted).")
    @Default("false")
    private Boolean insecureSkipTlsVerify;

    public CaBundleRef getCaBundleRef() {
        return caBundleRef;
    }

    public void setCaBundleRef(CaBundleRef caBundleRef) {
        this.caBundleRef = caBundleRef;
    }

    public SecretRef getClientCertificateSecretRef() {
        return clientCertificateSecretRef;
    }

    public void setClientCertificateSecretRef(SecretRef clientCertificateSecretRef) {
        this.clientCertificateSecretRef = clientCertificateSecretRef;
    }

    public String getServerName() {
        return serverName;
    }

    public void setServerName(String serverName) {
        this.serverName = serverName;
    }

    public Boolean getInsecureSkipTlsVerify() {
        return insecureSkipTlsVerify;
    }

    public void setInsecureSkipTlsVerify(Boolean insecureSkipTlsVerify) {
        this.insecureSkipTlsVerify = insecureSkipTlsVerify;
    }
}
