package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.spec.TlsOptions;
import dev.healthcheckoperator.sidecar.checks.tls.TlsMaterial;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.function.Supplier;

/**
 * The pooled HTTP client of one check, with its TLS settings. When those name files (a CA bundle, a client
 * certificate), they are read again before each probe, on a worker thread; a changed content (a rotated Secret)
 * replaces the client, so the next connection, and no pooled one made with the old certificate, uses it. Without
 * files the client is built once.
 */
final class TlsHttpClient {

    private final Vertx vertx;
    private final Supplier<HttpClientOptions> baseOptions;
    private final TlsOptions tls;
    private HttpClient client;
    private TlsMaterial material;

    /** {@code tls} null: a plaintext client; otherwise TLS with these settings for the requests that ask for it. */
    TlsHttpClient(Vertx vertx, Supplier<HttpClientOptions> baseOptions, TlsOptions tls) {
        this.vertx = vertx;
        this.baseOptions = baseOptions;
        this.tls = tls;
        if (tls == null) {
            client = vertx.createHttpClient(baseOptions.get());
        } else if (!tls.readsFiles()) {
            material = TlsMaterial.withoutFiles(tls);
            client = vertx.createHttpClient(material.applyTo(baseOptions.get()));
        }
    }

    /** The client for the next probe, with the TLS files as they are now; fails naming a file that is unusable. */
    Future<HttpClient> current() {
        if (tls == null || !tls.readsFiles()) {
            return Future.succeededFuture(client);
        }
        return vertx.executeBlocking(() -> TlsMaterial.load(tls), false).map(this::use);
    }

    private synchronized HttpClient use(TlsMaterial loaded) {
        if (material == null || !material.fingerprint().equals(loaded.fingerprint())) {
            if (client != null) {
                client.close(); // probes of one check never overlap: nothing is in flight on it
            }
            client = vertx.createHttpClient(loaded.applyTo(baseOptions.get()));
            material = loaded;
        }
        return client;
    }

    /**
     * Addresses a request: to {@code host}:{@code port}, and over TLS with a {@code serverName} the connection
     * still goes there while the name is what the certificate is verified against and what SNI sends.
     *
     * @return whether the server name replaced the host, so that a Host header must name the host again
     */
    synchronized boolean address(RequestOptions options, String host, int port, boolean ssl) {
        options.setHost(host).setPort(port).setSsl(ssl);
        String serverName = material == null ? null : material.serverName();
        if (!ssl || serverName == null) {
            return false;
        }
        options.setServer(SocketAddress.inetSocketAddress(port, host)).setHost(serverName);
        return true;
    }

    synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
