package dev.healthcheckoperator.operator.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

import org.jboss.logging.Logger;

/**
 * Plain HTTP to a URL built from a template: the Service's cluster DNS name in-cluster, or a configured address in
 * direct mode. A JDK client rather than the Kubernetes one, so the operator's API credentials never go to a sidecar.
 * <p>
 * The JDK client's request timeout ends when the response headers arrive; a body that stalls after them would hang
 * the request forever. The body is therefore read by a subscriber of our own, which the caller's deadline cancels
 * (that closes the connection) and which stops reading at the size limit.
 * <p>
 * Every poll asks for its own connection, closed after the answer ({@code Connection: close}), as the kubelet's HTTP
 * prober does (it disables keep-alives). The JDK client takes a pooled connection by a linear scan of all its idle
 * ones ({@code ConnectionPool.ExpiryList}, a linked list): with a kept-alive connection per answering sidecar that is
 * thousands of list nodes per poll at fleet scale (81 of 128 samples of the poller's threads at 1,000 HealthChecks),
 * and about 10 KiB of heap per idle connection (BENCHMARKS.md). A fresh connection also shows that the sidecar still
 * accepts them. The client drops the connection when the answer says {@code Connection: close}, as the sidecar's
 * server (Vert.x) does, as HTTP/1.1 asks of servers; an answer without it goes back to the pool. The JDK refuses the
 * header unless the system property {@code jdk.httpclient.allowRestrictedHeaders} names it (operator/jvm.options);
 * without it, polls keep alive.
 */
public class UrlTemplateFetcher implements SidecarFetcher {

    private static final Logger LOG = Logger.getLogger(UrlTemplateFetcher.class);

    /** Whether this JVM lets a request say {@code Connection: close} (read once, as the JDK client does). */
    static final boolean CLOSES_EACH_CONNECTION = connectionHeaderAllowed();

    /** The Service address, resolvable from pods in the cluster. */
    public static final String SERVICE_DNS_TEMPLATE = "http://{service}.{namespace}.svc:{port}/health";

    private final String template;
    private final HttpClient client;

    public UrlTemplateFetcher(String template, Duration connectTimeout) {
        this.template = template;
        // HTTP/1.1: the sidecar serves plain HTTP, an h2c upgrade attempt on every poll would only add bytes.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        if (!CLOSES_EACH_CONNECTION) {
            LOG.warn("jdk.httpclient.allowRestrictedHeaders does not name \"connection\": sidecar polls keep their "
                    + "connections alive, which costs CPU and memory per sidecar (operator/jvm.options sets it)");
        }
    }

    @Override
    public CompletableFuture<SidecarResponse> fetch(PollTarget target, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(describe(target))).timeout(timeout).GET()
                .header("Accept", "application/json");
        if (CLOSES_EACH_CONNECTION) {
            builder.header("Connection", "close");
        }
        HttpRequest request = builder.build();
        BoundedSubscriber body = new BoundedSubscriber(new BoundedBody(BoundedBody.MAX_BYTES));
        CompletableFuture<HttpResponse<String>> exchange = client.sendAsync(request, info -> body);
        CompletableFuture<SidecarResponse> result = exchange
                .thenApply(response -> new SidecarResponse(response.statusCode(), response.body()));
        result.whenComplete((response, error) -> {
            if (error != null) {
                // Cancelled by the deadline (or failed): stop reading and drop the connection, in whatever phase.
                body.cancel();
                exchange.cancel(true);
            }
        });
        return result;
    }

    @Override
    public String describe(PollTarget target) {
        return target.expand(template);
    }

    private static boolean connectionHeaderAllowed() {
        try {
            HttpRequest.newBuilder().header("Connection", "close");
            return true;
        } catch (IllegalArgumentException restricted) {
            return false;
        }
    }

    /** Reads one buffer at a time into a {@link BoundedBody}; cancelling the subscription closes the connection. */
    private static final class BoundedSubscriber implements HttpResponse.BodySubscriber<String> {

        private final BoundedBody bytes;
        private final CompletableFuture<String> text = new CompletableFuture<>();
        private Flow.Subscription subscription;

        BoundedSubscriber(BoundedBody bytes) {
            this.bytes = bytes;
        }

        @Override
        public CompletionStage<String> getBody() {
            return text;
        }

        @Override
        public synchronized void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (text.isDone()) {
                subscription.cancel();
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (!bytes.append(buffer)) {
                    text.completeExceptionally(bytes.tooLarge());
                    cancel();
                    return;
                }
            }
            request();
        }

        @Override
        public void onError(Throwable error) {
            text.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            text.complete(bytes.text());
        }

        synchronized void cancel() {
            text.cancel(false);
            if (subscription != null) {
                subscription.cancel();
            }
        }

        private synchronized void request() {
            if (!text.isDone()) {
                subscription.request(1);
            }
        }
    }
}
