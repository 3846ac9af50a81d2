package dev.healthcheckoperator.operator.health;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.healthcheckoperator.operator.dependent.SidecarNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;

/**
 * Reaches the sidecars through the API server's service proxy, for an operator running outside the cluster (where
 * Service DNS names do not resolve). Needs get on services/proxy. The API server refuses to proxy to loopback
 * endpoints, so this mode cannot reach a sidecar on the operator's own machine.
 * <p>
 * The Kubernetes client retries requests answered with 5xx; a sidecar whose checks fail answers 503 on purpose, so
 * this fetcher uses a derived client without retries (else "down" would turn into a timeout). The body is consumed
 * buffer by buffer up to the size limit, and cancelling the result cancels the exchange and the body.
 */
public class ApiServerProxyFetcher implements SidecarFetcher {

    private final KubernetesClient kubernetesClient;
    private final HttpClient httpClient;

    public ApiServerProxyFetcher(KubernetesClient kubernetesClient) {
        this.kubernetesClient = kubernetesClient;
        this.httpClient = kubernetesClient.getHttpClient().newBuilder()
                .tag(new RequestConfigBuilder(kubernetesClient.getConfiguration().getRequestConfig())
                        .withRequestRetryBackoffLimit(0).build())
                .build();
    }

    @Override
    public CompletableFuture<SidecarResponse> fetch(PollTarget target, Duration timeout) {
        HttpRequest request = httpClient.newHttpRequestBuilder().uri(describe(target))
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).build();
        return BoundedExchange.send(httpClient, request, BoundedBody.MAX_BYTES, SidecarResponse::new);
    }

    @Override
    public String describe(PollTarget target) {
        String base = kubernetesClient.getMasterUrl().toString();
        if (!base.endsWith("/")) {
            base += "/";
        }
        return base + "api/v1/namespaces/" + target.namespace() + "/services/" + target.service() + ":"
                + SidecarNames.HEALTH_PORT_NAME + "/proxy/health";
    }
}
