package dev.healthcheckoperator.operator.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP server on loopback that answers /health like the sidecar does, with a report the test sets. Lets a test
 * change a sidecar's answer at a moment of its choosing and count the operator's polls.
 */
public final class StubSidecar implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger polls = new AtomicInteger();
    private final List<Long> pollTimes = new CopyOnWriteArrayList<>();
    /** The client port of every poll: a connection kept alive serves its polls from one port. */
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private volatile Answer answer = new Answer("ok", new String[0]);
    /** Cyclic: true drops the poll at that position (the connection is closed without an answer). */
    private volatile boolean[] drops = new boolean[0];

    private record Answer(String status, String[] checks) {
    }

    public StubSidecar() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", exchange -> {
            int poll = polls.getAndIncrement();
            pollTimes.add(System.nanoTime());
            clientPorts.add(exchange.getRemoteAddress().getPort());
            boolean[] pattern = drops;
            if (pattern.length > 0 && pattern[poll % pattern.length]) {
                // Thrown out of the handler, the server closes the connection: the poll fails without an answer.
                throw new IOException("dropped on purpose");
            }
            Answer current = answer;
            byte[] bytes = render(current.status(), current.checks()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            // As the sidecar's HTTP server (Vert.x) answers a request to close: the JDK's own server closes the
            // connection after the answer but does not say so.
            if ("close".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Connection"))) {
                exchange.getResponseHeaders().add("Connection", "close");
            }
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

    /** Connections the polls came on so far (told apart by their client ports). */
    public int connections() {
        return clientPorts.size();
    }

    /** System.nanoTime() of every poll so far, in order. */
    public List<Long> pollTimes() {
        return List.copyOf(pollTimes);
    }

    /** From the next poll on, drops the polls where the cyclic pattern says true (counted from the first poll). */
    public void drop(boolean... pattern) {
        this.drops = pattern.clone();
    }

    /**
     * Answers with the given overall status and checks, as "name:status[:critical][:flapping]" (status
     * ok|failing|unknown).
     */
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
            List<String> flags = List.of(parts).subList(2, parts.length);
            json.append(i == 0 ? "" : ",")
                    .append("{\"name\":\"").append(parts[0]).append("\",\"status\":\"").append(parts[1])
                    .append("\",\"critical\":").append(flags.contains("critical"))
                    .append(",\"flapping\":").append(flags.contains("flapping"))
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
