package dev.healthcheckoperator.operator.crd.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** An HTTP GET, addressed either by url or by host + port (+ path, scheme). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.url) != has(self.host)", message = "set either url or host (with port), not both and not neither")
@ValidationRule(value = "!has(self.url) || (!has(self.port) && !has(self.path) && !has(self.scheme))",
        message = "port, path and scheme go with host, not with url")
@ValidationRule(value = "!has(self.host) || has(self.port)", message = "port is required with host", fieldPath = ".port")
@ValidationRule(value = "!has(self.tls) || (has(self.url) ? self.url.startsWith('https://') "
        + ": (has(self.scheme) && self.scheme == 'HTTPS'))",
        message = "tls goes with an https:// url or scheme HTTPS", fieldPath = ".tls")
@ValidationRule(value = "!has(self.body) || (has(self.method) && self.method == 'POST')", fieldPath = ".body",
        message = "body is sent only with method POST")
@ValidationRule(value = "!has(self.contentType) || has(self.body)", fieldPath = ".contentType",
        message = "contentType goes with body")
@ValidationRule(value = "!has(self.method) || self.method != 'HEAD' || !has(self.jsonBody) || size(self.jsonBody) == 0",
        fieldPath = ".jsonBody", message = "a HEAD response has no body: jsonBody needs method GET or POST")
public class HttpGetAction extends HostAndPort {

    @JsonPropertyDescription("Absolute http:// or https:// URL to GET, e.g. http://checkout.shop.svc:8080/ready.")
    @Size(max = 2048)
    @ValidationRule(value = "isURL(self) && (self.startsWith('http://') || self.startsWith('https://'))",
            message = "url must be an absolute http:// or https:// URL")
    private String url;

    @JsonPropertyDescription("Path to GET with host; defaults to /.")
    @Pattern("^/[^\\s]*$")
    @Size(max = 2048)
    private String path;

    @JsonPropertyDescription("HTTP or HTTPS with host; defaults to HTTP.")
    private HttpScheme scheme;

    @JsonPropertyDescription("Headers sent with the request.")
    @Size(max = 32)
    private List<HttpHeader> httpHeaders;

    @JsonPropertyDescription("Status codes that pass; when empty any 200-399 passes, like the kubelet's probes.")
    @Size(max = 32)
    @ValidationRule(value = "self.all(s, s >= 100 && s <= 599)", message = "expectedStatuses must be HTTP status codes (100-599)")
    private List<Integer> expectedStatuses;

    @JsonPropertyDescription("Assertions on the JSON response body; all must hold.")
    @Size(max = 16)
    private List<JsonBodyAssertion> jsonBody;

    @JsonPropertyDescription("Follow up to 10 redirects (301, 302, 303, 307, 308) within the check's timeout and judge "
            + "the final answer; more, or a loop, fails with TooManyRedirects, a Location that is not http/https "
            + "with BadRedirect. Unlike the kubelet, a redirect to another host is followed too (headers are sent "
            + "again only to the same host and port). false judges the redirect itself.")
    @Default("true")
    private Boolean followRedirects;

    @JsonPropertyDescription("TLS options of an https check: CA bundle, client certificate, server name.")
    private TlsOptions tls;

    public TlsOptions getTls() {
        return tls;
    }

    public void setTls(TlsOptions tls) {
        this.tls = tls;
    }

    @JsonPropertyDescription("GET (the default), HEAD or POST. HEAD decides on the status alone (no jsonBody); "
            + "POST sends body.")
    private HttpRequestMethod method;

    @JsonPropertyDescription("Request body, with method POST only. It is sent again on a redirect to the same "
            + "host and port, and never to another (that redirect fails with BadRedirect).")
    private HttpBody body;

    @JsonPropertyDescription("Content-Type of body; defaults to text/plain; charset=utf-8. A Content-Type in "
            + "httpHeaders replaces it.")
    @Pattern("^[-!#$%&'*+.^_`|~0-9A-Za-z]+/[-!#$%&'*+.^_`|~0-9A-Za-z]+( *;[\\t\\x20-\\x7E]*)?$")
    @Size(max = 256)
    private String contentType;

    public HttpRequestMethod getMethod() {
        return method;
    }

    public void setMethod(HttpRequestMethod method) {
        this.method = method;
    }

    public HttpBody getBody() {
        return body;
    }

    public void setBody(HttpBody body) {
        this.body = body;
    }

    public String getContentType() {
        return contentType;
    }

    public void setContentType(String contentType) {
        this.contentType = contentType;
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public HttpScheme getScheme() {
        return scheme;
    }

    public void setScheme(HttpScheme scheme) {
        this.scheme = scheme;
    }

    public List<HttpHeader> getHttpHeaders() {
        return httpHeaders;
    }

    public void setHttpHeaders(List<HttpHeader> httpHeaders) {
        this.httpHeaders = httpHeaders;
    }

    public List<Integer> getExpectedStatuses() {
        return expectedStatuses;
    }

    public void setExpectedStatuses(List<Integer> expectedStatuses) {
        this.expectedStatuses = expectedStatuses;
    }

    public Boolean getFollowRedirects() {
        return followRedirects;
    }

    public void setFollowRedirects(Boolean followRedirects) {
        this.followRedirects = followRedirects;
    }

    public List<JsonBodyAssertion> getJsonBody() {
        return jsonBody;
    }

    public void setJsonBody(List<JsonBodyAssertion> jsonBody) {
        this.jsonBody = jsonBody;
    }
}
