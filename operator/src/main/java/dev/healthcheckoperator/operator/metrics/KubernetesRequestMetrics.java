package dev.healthcheckoperator.operator.metrics;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * healthcheck_operator_kubernetes_requests_total{method,code}: every request of the operator's Kubernetes client,
 * by HTTP method and status code ({@code error} when no answer came). Neither path nor namespace is a label, so
 * the series stay a few dozen however many HealthChecks there are.
 * <p>
 * The client is Quarkus' own (same serialization, same Config, which the SDK and everything else inject), built
 * with one interceptor more: Quarkus offers no other hook into the client's HTTP layer.
 */
@Singleton
public class KubernetesRequestMetrics implements Interceptor {

    public static final String NAME = "healthcheck.operator.kubernetes.requests";
    static final String NO_ANSWER = "error";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    public KubernetesRequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Produces
    @ApplicationScoped
    KubernetesClient kubernetesClient(KubernetesSerialization serialization, Config config) {
        return new KubernetesClientBuilder().withKubernetesSerialization(serialization).withConfig(config)
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("request-metrics", this))
                .build();
    }

    void close(@Disposes KubernetesClient client) {
        client.close();
    }

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        count(request.method(), Integer.toString(response.code()));
    }

    @Override
    public void afterConnectionFailure(HttpRequest request, Throwable failure) {
        count(request.method(), NO_ANSWER);
    }

    private void count(String method, String code) {
        counters.computeIfAbsent(method + " " + code, key -> Counter.builder(NAME)
                .description("Requests to the Kubernetes API server, by HTTP method and status code")
                .tag("method", method).tag("code", code).register(registry)).increment();
    }
}
