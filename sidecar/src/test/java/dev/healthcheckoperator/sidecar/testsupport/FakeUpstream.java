package dev.healthcheckoperator.sidecar.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP upstream on 127.0.0.1 for the probes to hit: healthy, failing, alternating, hanging, oversized and
 * non-JSON answers, and a count of the requests that reached it.
 */
public final class FakeUpstream implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);
    public final AtomicInteger hangingRequests = new AtomicInteger();
    public final AtomicInteger requests = new AtomicInteger();
    public volatile String lastProbeHeader;
    /** What {@code /switch} answers; tests flip it to make an upstream fail and recover. */
    public volatile int switchStatus = 200;
    /** While true, each path under {@code /alternate/} answers 200 and 500 by turns, counted per path; else 200. */
    public volatile boolean alternate = true;
    private final Map<String, AtomicInteger> alternations = new ConcurrentHashMap<>();

    public FakeUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.createContext("/up", ex -> reply(ex, 200, "{\"status\":\"UP\",\"checks\":[{\"state\":\"ok\"}]}"));
        server.createContext("/down", ex -> reply(ex, 200, "{\"status\":\"DOWN\"}"));
        server.createContext("/error", ex -> reply(ex, 500, "{\"status\":\"ERROR\"}"));
        server.createContext("/switch", ex -> reply(ex, switchStatus, "{\"status\":\"" + switchStatus + "\"}"));
        server.createContext("/alternate/", ex -> {
            int answer = alternations.computeIfAbsent(ex.getRequestURI().getPath(), p -> new AtomicInteger())
                    .getAndIncrement();
            int status = alternate && answer % 2 == 1 ? 500 : 200;
            reply(ex, status, "{\"status\":\"" + status + "\"}");
        });
        server.createContext("/text", ex -> reply(ex, 200, "fine, thanks"));
        server.createContext("/big", ex -> reply(ex, 200, "{\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}"));
        server.createContext("/hang", ex -> {
            hangingRequests.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.setExecutor(executor);
        server.start();
    }

    private void reply(HttpExchange exchange, int status, String body) throws IOException {
        requests.incrementAndGet();
        lastProbeHeader = exchange.getRequestHeaders().getFirst("X-Probe");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
