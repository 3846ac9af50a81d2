package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** A TLS handshake whose leaf certificate is checked: trusted, for the name, and not about to expire. */
@JsonInclude(JsonInclude.Include.NON_NULL)
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
