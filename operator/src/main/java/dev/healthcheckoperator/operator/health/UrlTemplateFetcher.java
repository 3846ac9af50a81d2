package dev.healthcheckoperator.operator.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Plain HTTP to a URL built from a template: the Service's cluster DNS name in-cluster, or a configured address in
 * direct mode. A JDK client rather than the Kubernetes one, so the operator's API credentials never go to a sidecar.
 */
public class UrlTemplateFetcher implements SidecarFetcher {

    /** The Service address, resolvable from pods in the cluster. */
    public static final String SERVICE_DNS_TEMPLATE = "http://{service}.{namespace}.svc:{port}/health";

    private final String template;
    private final Duration timeout;
    private final HttpClient client;

    public UrlTemplateFetcher(String template, Duration timeout) {
        this.template = template;
        this.timeout = timeout;
        // HTTP/1.1: the sidecar serves plain HTTP, an h2c upgrade attempt on every poll would only add bytes.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public SidecarResponse fetch(PollTarget target) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(describe(target))).timeout(timeout).GET()
                .header("Accept", "application/json").build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new SidecarResponse(response.statusCode(), response.body());
    }

    @Override
    public String describe(PollTarget target) {
        return target.expand(template);
    }
}
