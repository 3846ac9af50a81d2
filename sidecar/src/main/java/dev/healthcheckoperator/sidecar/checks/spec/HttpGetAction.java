package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * An HTTP GET check, shaped like a Kubernetes probe's {@code httpGet}: either a full {@code url}, or
 * {@code host}, {@code port}, {@code path} and {@code scheme}. Redirects are followed unless
 * {@code followRedirects} is false. An https check may carry {@code tls} options (trust, client certificate).
 */
@RegisterForReflection
public record HttpGetAction(
        String url,
        String host,
        Integer port,
        String path,
        String scheme,
        List<HttpHeader> httpHeaders,
        List<Integer> expectedStatuses,
        List<JsonBodyAssertion> jsonBody,
        Boolean insecureSkipTlsVerify,
        Boolean followRedirects,
        TlsOptions tls) {

    public HttpGetAction(String url, String host, Integer port, String path, String scheme,
            List<HttpHeader> httpHeaders, List<Integer> expectedStatuses, List<JsonBodyAssertion> jsonBody,
            Boolean insecureSkipTlsVerify, Boolean followRedirects) {
        this(url, host, port, path, scheme, httpHeaders, expectedStatuses, jsonBody, insecureSkipTlsVerify,
                followRedirects, null);
    }

    /**
     * The TLS options, with the older {@code insecureSkipTlsVerify} of the check itself folded in: either one set
     * skips verification.
     */
    public TlsOptions tlsOrDefault() {
        TlsOptions options = tls == null ? TlsOptions.DEFAULT : tls;
        return Boolean.TRUE.equals(insecureSkipTlsVerify) && !options.skipsVerify()
                ? new TlsOptions(options.caFile(), options.certFile(), options.keyFile(), options.serverName(), true)
                : options;
    }

    /** Absent means true, like the kubelet and blackbox_exporter: a redirect to an error page is not "ok". */
    public boolean followsRedirects() {
        return !Boolean.FALSE.equals(followRedirects);
    }

    public List<HttpHeader> headersOrEmpty() {
        return httpHeaders == null ? List.of() : httpHeaders;
    }

    public List<JsonBodyAssertion> jsonBodyOrEmpty() {
        return jsonBody == null ? List.of() : jsonBody;
    }

    /** Like the kubelet: without a list, any status from 200 to 399 is a success. */
    public boolean accepts(int status) {
        if (expectedStatuses == null || expectedStatuses.isEmpty()) {
            return status >= 200 && status < 400;
        }
        return expectedStatuses.contains(status);
    }
}
