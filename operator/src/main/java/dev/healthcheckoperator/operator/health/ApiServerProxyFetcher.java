package dev.healthcheckoperator.operator.health;

import java.util.concurrent.TimeUnit;

import dev.healthcheckoperator.operator.dependent.SidecarNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;

/**
 * Reaches the sidecars through the API server's service proxy, for an operator running outside the cluster (where
 * Service DNS names do not resolve). Needs get on services/proxy. The API server refuses to proxy to loopback
 * endpoints, so this mode cannot reach a sidecar on the operator's own machine.
 */
public class ApiServerProxyFetcher implements SidecarFetcher {

    private final KubernetesClient kubernetesClient;
    private final long timeoutMillis;

    public ApiServerProxyFetcher(KubernetesClient kubernetesClient, long timeoutMillis) {
        this.kubernetesClient = kubernetesClient;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public SidecarResponse fetch(PollTarget target) throws Exception {
        HttpRequest request = kubernetesClient.getHttpClient().newHttpRequestBuilder().uri(describe(target))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS).build();
        HttpResponse<String> response = kubernetesClient.getHttpClient().sendAsync(request, String.class)
                .get(timeoutMillis, TimeUnit.MILLISECONDS);
        return new SidecarResponse(response.code(), response.body());
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
