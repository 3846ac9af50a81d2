package dev.healthcheckoperator.operator.health;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;

/**
 * One request through the Kubernetes client's HTTP client whose body is read buffer by buffer up to a size limit,
 * and whose result, when cancelled or failed, cancels the exchange and the body: a deadline that cancels the future
 * closes the connection instead of leaving the request to run on.
 */
public final class BoundedExchange {

    private BoundedExchange() {
    }

    /**
     * @param answer turns the status code and the body's text into the result
     * @return the result itself (not a stage derived from it), so that cancelling it reaches the exchange
     */
    public static <T> CompletableFuture<T> send(HttpClient httpClient, HttpRequest request, int maxBytes,
            BiFunction<Integer, String, T> answer) {
        BoundedBody bytes = new BoundedBody(maxBytes);
        CompletableFuture<T> result = new CompletableFuture<>();
        AsyncBody.Consumer<List<ByteBuffer>> consumer = (buffers, body) -> {
            for (ByteBuffer buffer : buffers) {
                if (!bytes.append(buffer)) {
                    result.completeExceptionally(bytes.tooLarge());
                    body.cancel();
                    return;
                }
            }
            body.consume();
        };
        CompletableFuture<HttpResponse<AsyncBody>> exchange = httpClient.consumeBytes(request, consumer);
        exchange.whenComplete((response, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
                return;
            }
            response.body().done().whenComplete((done, bodyError) -> {
                if (bodyError != null) {
                    result.completeExceptionally(bodyError);
                } else {
                    try {
                        result.complete(answer.apply(response.code(), bytes.text()));
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                }
            });
            if (result.isDone()) {
                response.body().cancel();
            } else {
                response.body().consume();
            }
        });
        result.whenComplete((response, error) -> {
            if (error != null) {
                exchange.cancel(true);
                exchange.thenAccept(late -> late.body().cancel());
            }
        });
        return result;
    }
}
