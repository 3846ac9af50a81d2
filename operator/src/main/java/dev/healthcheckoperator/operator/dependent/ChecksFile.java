package dev.healthcheckoperator.operator.dependent;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.DnsAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.FlapDetectionSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.GrpcAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpBody;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpGetAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpHeader;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretKeyRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.TlsOptions;
import dev.healthcheckoperator.operator.crd.v1alpha1.TcpSocketAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.TlsCertificateAction;

/**
 * The sidecar's checks file: a format the sidecar owns, written here field by field rather than by serializing the
 * CRD model, so a new CRD field cannot appear in a file an older sidecar reads. A field added here needs a sidecar
 * that knows it (older ones ignore unknown fields with a warning), which is harmless only for a field whose absence
 * changes no verdict. A file that uses a field an older sidecar would ignore and then judge wrongly (a check kind it
 * does not know, a header from a Secret it would not send, TLS trust it would not apply, a POST it would send as a
 * GET) is version {@link #VERSION}, which such a sidecar refuses with a message saying to run a newer image; every
 * other file stays version {@link #FIRST_VERSION}, byte for byte what it was, so an operator upgrade rolls no
 * sidecar whose HealthCheck uses none of it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "version", "periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold", "checks" })
public record ChecksFile(int version, Integer periodSeconds, Integer timeoutSeconds, Integer failureThreshold,
        Integer successThreshold, List<Check> checks) {

    /** The format of the first released sidecar. */
    public static final int FIRST_VERSION = 1;
    /**
     * Adds dns and tlsCertificate checks (with their tls files), httpGet method/body/contentType, Secret header and
     * body values and tls files.
     */
    public static final int VERSION = 2;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "name", "critical", "periodSeconds", "timeoutSeconds", "failureThreshold",
            "successThreshold", "flapDetection", "httpGet", "tcpSocket", "grpc", "dns", "tlsCertificate" })
    public record Check(String name, Boolean critical, Integer periodSeconds, Integer timeoutSeconds,
            Integer failureThreshold, Integer successThreshold, FlapDetection flapDetection, HttpGet httpGet,
            HostPort tcpSocket, Grpc grpc, Dns dns, TlsCertificate tlsCertificate) {
    }

    /** Written only when the HealthCheck sets it, so the file (and the pod template) of the others stays as it was. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "enabled", "window", "maxTransitions" })
    public record FlapDetection(Boolean enabled, Integer window, Integer maxTransitions) {

        static FlapDetection of(FlapDetectionSpec spec) {
            return spec == null ? null : new FlapDetection(spec.getEnabled(), spec.getWindow(), spec.getMaxTransitions());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HttpGet(String url, String host, Integer port, String path, String scheme, List<Header> httpHeaders,
            List<Integer> expectedStatuses, List<JsonBody> jsonBody, Boolean followRedirects, String method,
            Body body, String contentType, Tls tls) {
    }

    /** A body written in the HealthCheck, or the mounted file the sidecar reads it from (a Secret key). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Body(String value, String valueFile) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Dns(String name, String recordType, List<String> expectedValues, String match, String server) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TlsCertificate(String host, Integer port, String serverName, Integer expiresWithinDays,
            Boolean insecureSkipTlsVerify, Tls tls) {
    }

    /** A header's value, or the mounted file the sidecar reads it from (a Secret key: never the value). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Header(String name, String value, String valueFile) {
    }

    /** TLS options as mounted files, see {@link MountedReferences}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Tls(String caFile, String certFile, String keyFile, String serverName,
            Boolean insecureSkipTlsVerify) {
    }

    public record JsonBody(String path, String equals) {
    }

    public record HostPort(String host, Integer port) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Grpc(String host, Integer port, String service, Tls tls) {
    }

    /** The API server fills in the spec's defaults; a value still missing is left to the sidecar's own default. */
    public static ChecksFile of(HealthCheckSpec spec) {
        List<Check> checks = spec.getChecks() == null ? List.of()
                : spec.getChecks().stream().map(ChecksFile::check).toList();
        return new ChecksFile(checks.stream().anyMatch(ChecksFile::needsVersion2) ? VERSION : FIRST_VERSION,
                spec.getPeriodSeconds(), spec.getTimeoutSeconds(), spec.getFailureThreshold(),
                spec.getSuccessThreshold(), checks);
    }

    /**
     * Whether a sidecar of version 1 would read this check and judge it wrongly (see the class comment). A
     * tlsCertificate check (with or without tls files) and any body (a value or a valueFile) are version 2 already:
     * a version-1 sidecar knows neither.
     */
    static boolean needsVersion2(Check check) {
        if (check.dns() != null || check.tlsCertificate() != null || (check.grpc() != null && check.grpc().tls() != null)) {
            return true;
        }
        HttpGet http = check.httpGet();
        return http != null && (http.method() != null || http.body() != null || http.contentType() != null
                || http.tls() != null
                || (http.httpHeaders() != null && http.httpHeaders().stream().anyMatch(h -> h.valueFile() != null)));
    }

    private static Check check(CheckSpec check) {
        return new Check(check.getName(), check.getCritical(), check.getPeriodSeconds(), check.getTimeoutSeconds(),
                check.getFailureThreshold(), check.getSuccessThreshold(), FlapDetection.of(check.getFlapDetection()),
                httpGet(check.getHttpGet()), tcpSocket(check.getTcpSocket()), grpc(check.getGrpc()), dns(check.getDns()),
                tlsCertificate(check.getTlsCertificate()));
    }

    private static HttpGet httpGet(HttpGetAction http) {
        if (http == null) {
            return null;
        }
        List<Header> headers = http.getHttpHeaders() == null ? null
                : http.getHttpHeaders().stream().map(ChecksFile::header).toList();
        List<JsonBody> jsonBody = http.getJsonBody() == null ? null
                : http.getJsonBody().stream().map(j -> new JsonBody(j.getPath(), j.getEquals())).toList();
        return new HttpGet(http.getUrl(), http.getHost(), http.getPort(), http.getPath(),
                http.getScheme() == null ? null : http.getScheme().name(), headers, http.getExpectedStatuses(),
                jsonBody, http.getFollowRedirects(), http.getMethod() == null ? null : http.getMethod().name(),
                body(http.getBody()), http.getContentType(), tls(http.getTls()));
    }

    private static Body body(HttpBody body) {
        if (body == null) {
            return null;
        }
        SecretKeyRef ref = MountedReferences.bodySecret(body);
        return ref == null ? new Body(body.getValue(), null)
                : new Body(null, MountedReferences.path(MountedReferences.Kind.SECRET, ref.getName(), ref.getKey()));
    }

    private static Header header(HttpHeader header) {
        SecretKeyRef ref = header.getValueFrom() == null ? null : header.getValueFrom().getSecretKeyRef();
        return ref == null ? new Header(header.getName(), header.getValue(), null)
                : new Header(header.getName(), null,
                        MountedReferences.path(MountedReferences.Kind.SECRET, ref.getName(), ref.getKey()));
    }

    /** The TLS options with each reference turned into the path it is mounted at. */
    public static Tls tls(TlsOptions tls) {
        if (tls == null) {
            return null;
        }
        List<MountedReferences.Reference> references = new ArrayList<>();
        MountedReferences.addTls("", tls, references);
        String ca = null;
        String cert = null;
        String key = null;
        for (MountedReferences.Reference reference : references) {
            if (reference.field().startsWith("caBundleRef")) {
                ca = reference.path();
            } else if (MountedReferences.TLS_CERT_KEY.equals(reference.key())) {
                cert = reference.path();
            } else {
                key = reference.path();
            }
        }
        return new Tls(ca, cert, key, tls.getServerName(), tls.getInsecureSkipTlsVerify());
    }

    private static Dns dns(DnsAction dns) {
        return dns == null ? null : new Dns(dns.getName(), dns.getRecordType() == null ? null : dns.getRecordType().name(),
                dns.getExpectedValues(), dns.getMatch() == null ? null : dns.getMatch().wireName(), dns.getServer());
    }

    private static TlsCertificate tlsCertificate(TlsCertificateAction tls) {
        return tls == null ? null : new TlsCertificate(tls.getHost(), tls.getPort(), tls.getServerName(),
                tls.getExpiresWithinDays(), tls.getInsecureSkipTlsVerify(), tls(tls.getTls()));
    }

    private static HostPort tcpSocket(TcpSocketAction tcp) {
        return tcp == null ? null : new HostPort(tcp.getHost(), tcp.getPort());
    }

    private static Grpc grpc(GrpcAction grpc) {
        return grpc == null ? null : new Grpc(grpc.getHost(), grpc.getPort(), grpc.getService(), tls(grpc.getTls()));
    }
}
