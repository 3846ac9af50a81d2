package dev.healthcheckoperator.clustertests;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Where the operator of the cluster tests polls: kwok runs no pod, so no sidecar answers at a Service address. The
 * operator polls {@code http://127.0.0.1:<port>/<namespace>/<name>/health} (direct mode, {@link #urlTemplate()});
 * a HealthCheck routed to a real sidecar process gets that sidecar's answer, byte for byte, and every other one a
 * 404 that the operator reads as "no health report" (health Unknown).
 */
final class SidecarRelay implements AutoCloseable {

    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(FORWARD_TIMEOUT).build();
    private final Map<String, Integer> routes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> answered = new ConcurrentHashMap<>();

    SidecarRelay() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the sidecar relay", e);
        }
        server.createContext("/", this::relay);
        server.setExecutor(executor);
        server.start();
    }

    /** The operator's HEALTHCHECK_POLL_DIRECT_URL_TEMPLATE. */
    String urlTemplate() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/{namespace}/{name}/health";
    }

    /** From now on the HealthCheck's polls reach the sidecar listening on {@code sidecarPort}. */
    void route(String namespace, String name, int sidecarPort) {
        routes.put(namespace + "/" + name, sidecarPort);
    }

    /** How many polls of the HealthCheck a sidecar has answered so far. */
    int answered(String namespace, String name) {
        AtomicInteger count = answered.get(namespace + "/" + name);
        return count == null ? 0 : count.get();
    }

    private void relay(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String key = path.endsWith("/health") ? path.substring(1, path.length() - "/health".length()) : path;
            Integer port = routes.get(key);
            if (port == null) {
                respond(exchange, 404, "no sidecar for " + key);
                return;
            }
            HttpResponse<byte[]> answer;
            try {
                answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .timeout(FORWARD_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                // The sidecar cannot be reached: the operator must see a broken connection too, not an answer.
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            exchange.getResponseHeaders().set("Content-Type",
                    answer.headers().firstValue("Content-Type").orElse("application/json"));
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(answer.body());
            }
            answered.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
