package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * An HTTP GET check, shaped like a Kubernetes probe's {@code httpGet}: either a full {@code url}, or
 * {@code host}, {@code port}, {@code path} and {@code scheme}. Redirects are followed unless
 * {@code followRedirects} is false.
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
        Boolean followRedirects) {

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
