package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One check run by the sidecar. Timings left empty fall back to the spec's defaults. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "name", "critical" })
@ValidationRule(value = "[has(self.httpGet), has(self.tcpSocket), has(self.grpc), has(self.dns), "
        + "has(self.tlsCertificate)].filter(x, x).size() == 1",
        message = "exactly one of httpGet, tcpSocket, grpc, dns or tlsCertificate must be set")
public class CheckSpec extends ProbeTimings {

    /** A DNS label: the sidecar uses it as a metric label and in its /health report. */
    public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    @JsonPropertyDescription("Name of the check, unique in this HealthCheck; lowercase letters, digits and '-', at most 63 characters.")
    @Required
    @Pattern(NAME_PATTERN)
    @Size(min = 1, max = 63)
    private String name;

    @JsonPropertyDescription("Whether a failure of this check makes the whole HealthCheck Unhealthy (otherwise Degraded).")
    @Default("false")
    private Boolean critical;

    @JsonPropertyDescription("When this check counts as flapping (its state changing too often); on by default, "
            + "4 changes in 20 probes. While it flaps, the HealthCheck has Flapping=True and its Events are quieted.")
    private FlapDetectionSpec flapDetection;

    @JsonPropertyDescription("Check an HTTP endpoint: its status code and, optionally, its JSON body.")
    private HttpGetAction httpGet;

    @JsonPropertyDescription("Check that a TCP connection can be opened.")
    private TcpSocketAction tcpSocket;

    @JsonPropertyDescription("Check a gRPC server through the standard grpc.health.v1 service.")
    private GrpcAction grpc;

    @JsonPropertyDescription("Check a DNS name: the answer code and, optionally, the records.")
    private DnsAction dns;

    @JsonPropertyDescription("Check a TLS server's certificate: trusted, for the name, and not expiring soon.")
    private TlsCertificateAction tlsCertificate;

    public DnsAction getDns() {
        return dns;
    }

    public void setDns(DnsAction dns) {
        this.dns = dns;
    }

    public TlsCertificateAction getTlsCertificate() {
        return tlsCertificate;
    }

    public void setTlsCertificate(TlsCertificateAction tlsCertificate) {
        this.tlsCertificate = tlsCertificate;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public Boolean getCritical() {
        return critical;
    }

    public void setCritical(Boolean critical) {
        this.critical = critical;
    }

    public FlapDetectionSpec getFlapDetection() {
        return flapDetection;
    }

    public void setFlapDetection(FlapDetectionSpec flapDetection) {
        this.flapDetection = flapDetection;
    }

    public HttpGetAction getHttpGet() {
        return httpGet;
    }

    public void setHttpGet(HttpGetAction httpGet) {
        this.httpGet = httpGet;
    }

    public TcpSocketAction getTcpSocket() {
        return tcpSocket;
    }

    public void setTcpSocket(TcpSocketAction tcpSocket) {
        this.tcpSocket = tcpSocket;
    }

    public GrpcAction getGrpc() {
        return grpc;
    }

    public void setGrpc(GrpcAction grpc) {
        this.grpc = grpc;
    }
}
