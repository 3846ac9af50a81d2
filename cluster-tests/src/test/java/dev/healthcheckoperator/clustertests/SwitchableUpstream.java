package dev.healthcheckoperator.clustertests;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;

/** An upstream whose {@code /ready} answers 200 or 500, switched by the test, on 127.0.0.1. */
final class SwitchableUpstream implements AutoCloseable {

    private final HttpServer server;
    private volatile boolean healthy = true;

    SwitchableUpstream() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the upstream", e);
        }
        server.createContext("/ready", exchange -> {
            try (exchange) {
                boolean up = healthy;
                byte[] body = (up ? "ready" : "broken").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(up ? 200 : 500, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
    }

    String readyUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/ready";
    }

    void healthy(boolean healthy) {
        this.healthy = healthy;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
