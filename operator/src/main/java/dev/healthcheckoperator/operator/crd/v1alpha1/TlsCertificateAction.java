package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A TLS handshake whose leaf certificate is checked: trusted, for the name, and not about to expire. Its {@code tls}
 * options are those of an https or gRPC check; {@code serverName} and {@code insecureSkipTlsVerify} of the check
 * itself came first and stay, so each may be given in one place only.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.serverName) || !has(self.tls) || !has(self.tls.serverName)",
        message = "set serverName or tls.serverName, not both", fieldPath = ".tls.serverName")
@ValidationRule(value = "!has(self.tls) || !has(self.tls.caBundleRef) || !has(self.insecureSkipTlsVerify) "
        + "|| !self.insecureSkipTlsVerify",
        message = "tls.caBundleRef has no effect with insecureSkipTlsVerify: set one of them",
        fieldPath = ".tls.caBundleRef")
public class TlsCertificateAction extends NetworkTarget {

    @JsonPropertyDescription("Name sent as SNI and that the certificate must be for; defaults to host.")
    @Pattern("^" + DnsAction.NAME_BODY + "$")
    @Size(max = 253)
    private String serverName;

    @JsonPropertyDescription("Fail with CertificateExpiring when the leaf certificate expires within this many days "
            + "(default 14; 0 fails only an expired one, with CertificateExpired). The expiry is also exported as "
            + "sidecar_check_certificate_expiry_timestamp_seconds for alerts with other thresholds.")
    @Min(0)
    @Max(365)
    private Integer expiresWithinDays;

    @JsonPropertyDescription("Do not verify the chain or the name (TlsError otherwise: untrusted, or not for the "
            + "name); only the expiry is judged.")
    private Boolean insecureSkipTlsVerify;

    @JsonPropertyDescription("TLS options, as for an https or gRPC check: tls.caBundleRef (a ConfigMap or Secret key "
            + "with the PEM CA certificates to trust instead of the sidecar's default trust store), "
            + "tls.clientCertificateSecretRef (a kubernetes.io/tls Secret presented to a server that requires a client "
            + "certificate; without it such a server fails the check with TlsError), tls.serverName, "
            + "tls.insecureSkipTlsVerify. The keys are mounted into the sidecar pod and read before each probe.")
    private TlsOptions tls;

    public TlsOptions getTls() {
        return tls;
    }

    public void setTls(TlsOptions tls) {
        this.tls = tls;
    }

    public String getServerName() {
        return serverName;
    }

    public void setServerName(String serverName) {
        this.serverName = serverName;
    }

    public Integer getExpiresWithinDays() {
        return expiresWithinDays;
    }

    public void setExpiresWithinDays(Integer expiresWithinDays) {
        this.expiresWithinDays = expiresWithinDays;
    }

    public Boolean getInsecureSkipTlsVerify() {
        return insecureSkipTlsVerify;
    }

    public void setInsecureSkipTlsVerify(Boolean insecureSkipTlsVerify) {
        this.insecureSkipTlsVerify = insecureSkipTlsVerify;
    }
}
