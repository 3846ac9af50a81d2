package dev.healthcheckoperator.operator.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP server on loopback that answers /health like the sidecar does, with a report the test sets. Lets a test
 * change a sidecar's answer at a moment of its choosing and count the operator's polls.
 */
public final class StubSidecar implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger polls = new AtomicInteger();
    private volatile Answer answer = new Answer("ok", new String[0]);

    private record Answer(String status, String[] checks) {
    }

    public StubSidecar() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", exchange -> {
            polls.incrementAndGet();
            Answer current = answer;
            byte[] bytes = render(current.status(), current.checks()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders("down".equals(current.status()) ? 503 : 200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public int polls() {
        return polls.get();
    }

    /** Answers with the given overall status and checks, as "name:status[:critical]" (status ok|failing|unknown). */
    public void answer(String status, String... checks) {
        this.answer = new Answer(status, checks);
    }

    /** Rendered per request, with a fresh timestamp and latency each time, as the real sidecar does. */
    private String render(String status, String[] checks) {
        StringBuilder json = new StringBuilder("{\"status\":\"" + status + "\",\"timestamp\":\"")
                .append(Instant.now()).append("\",\"checks\":[");
        for (int i = 0; i < checks.length; i++) {
            String[] parts = checks[i].split(":");
            boolean failing = "failing".equals(parts[1]);
            json.append(i == 0 ? "" : ",")
                    .append("{\"name\":\"").append(parts[0]).append("\",\"status\":\"").append(parts[1])
                    .append("\",\"critical\":").append(parts.length > 2)
                    .append(",\"reason\":").append(failing ? "\"ConnectionRefused\"" : "null")
                    .append(",\"message\":").append(failing ? "\"connection refused\"" : "null")
                    // Values that change on every run of a check: the operator must not write them.
                    .append(",\"latencyMs\":").append(System.nanoTime() % 1000)
                    .append(",\"consecutiveFailures\":").append(failing ? polls.get() : 0)
                    .append(",\"lastSuccess\":\"").append(Instant.now()).append("\"}");
        }
        return json.append("]}").toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
