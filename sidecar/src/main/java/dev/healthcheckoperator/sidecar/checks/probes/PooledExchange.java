package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.FailureReason;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.RequestOptions;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Function;

/**
 * One request/response exchange on a pooled client, under a probe's deadline, shared by the HTTP/1.1 and the
 * gRPC (HTTP/2) probes.
 *
 * <p>A pooled connection that the upstream closed while it was idle (a keep-alive timeout, an HTTP/2 server
 * dropping an idle connection without GOAWAY) fails the next request before any answer. Such a request is sent
 * once more on a new connection, as Go's http.Transport does for requests it knows were not processed, so that
 * the race is never reported as ConnectionClosed. Requests re-sent this way are idempotent (a GET or HEAD, a health
 * Check); a POST comes from a client without keep-alive, whose connections never answered before, so it is never
 * re-sent.
 */
final class PooledExchange {

    /** Connections that have answered a request before; weak, so a closed connection is forgotten. */
    private final Set<HttpConnection> answeredBefore = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    /**
     * Leases a connection (the connect gets the time left), registers the request with the deadline, and lets
     * {@code exchange} add headers and send it.
     */
    Future<HttpClientResponse> send(HttpClient client, RequestOptions options, ProbeDeadline deadline,
            Function<HttpClientRequest, Future<HttpClientResponse>> exchange) {
        return attempt(client, options, deadline, exchange, true);
    }

    private Future<HttpClientResponse> attempt(HttpClient client, RequestOptions options, ProbeDeadline deadline,
            Function<HttpClientRequest, Future<HttpClientResponse>> exchange, boolean mayRetry) {
        deadline.phase("connecting");
        options.setConnectTimeout(deadline.remainingMillis());
        // Null until a connection is leased; then whether it had answered before (a pooled one).
        Boolean[] pooled = {null};
        return client.request(options).compose(request -> {
            deadline.onCancel(request::reset);
            HttpConnection connection = request.connection();
            pooled[0] = answeredBefore.remove(connection);
            return exchange.apply(request).onSuccess(response -> answeredBefore.add(connection));
        }).recover(error -> {
            FailureReason reason = FailureReason.classify(error);
            // A lease that fails as closed can only have been a pooled connection: a new one fails to connect.
            boolean stale = pooled[0] == null ? reason == FailureReason.ConnectionClosed
                    : pooled[0] && (reason == FailureReason.ConnectionClosed || reason == FailureReason.ConnectionReset);
            if (mayRetry && stale && !deadline.cancelled()) {
                return attempt(client, options, deadline, exchange, false);
            }
            return Future.failedFuture(error);
        });
    }
}
