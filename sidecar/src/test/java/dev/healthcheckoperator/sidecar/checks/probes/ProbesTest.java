package dev.healthcheckoperator.sidecar.checks.probes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.GrpcAction;
import dev.healthcheckoperator.sidecar.checks.spec.HttpGetAction;
import dev.healthcheckoperator.sidecar.checks.spec.HttpHeader;
import dev.healthcheckoperator.sidecar.checks.spec.JsonBodyAssertion;
import dev.healthcheckoperator.sidecar.checks.spec.TcpSocketAction;
import dev.healthcheckoperator.sidecar.testsupport.CuttingProxy;
import dev.healthcheckoperator.sidecar.testsupport.FakeUpstream;
import dev.healthcheckoperator.sidecar.testsupport.GrpcHealthServer;
import dev.healthcheckoperator.sidecar.testsupport.ScriptedDnsServer;
import dev.healthcheckoperator.sidecar.testsupport.Ports;
import dev.healthcheckoperator.sidecar.testsupport.Probing;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every probe kind against real local servers: what each answers, and the reason code of each failure. */
class ProbesTest {

    /**
     * Generous, so that a busy machine does not turn a success into a Timeout: it bounds the whole probe, and the
     * first gRPC call or TLS handshake of a JVM can take seconds there.
     */
    private static final long TIMEOUT_MS = 10_000;
    /** For the probes that must time out. */
    private static final long SHORT_TIMEOUT_MS = 1500;
    private static Vertx vertx;
    private static FakeUpstream upstream;
    private static ScriptedDnsServer dns; // no records: NXDOMAIN for every name
    private static GrpcHealthServer grpc;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        dns = new ScriptedDnsServer();
        vertx = Vertx.vertx(new VertxOptions().setAddressResolverOptions(new AddressResolverOptions()
                .setServers(List.of(dns.address())).setOptResourceEnabled(false)));
        upstream = new FakeUpstream();
        grpc = new GrpcHealthServer();
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
        grpc.close();
        dns.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static ProbeOutcome run(Probe probe) throws Exception {
        return run(probe, TIMEOUT_MS);
    }

    private static ProbeOutcome run(Probe probe, long timeoutMillis) throws Exception {
        try {
            return Probing.once(vertx, probe, timeoutMillis);
        } finally {
            probe.close();
        }
    }

    private static ProbeOutcome http(HttpGetAction action) throws Exception {
        return run(new HttpGetProbe(vertx, action, JSON, 64 * 1024));
    }

    private static HttpGetAction url(String url, List<Integer> expected, List<JsonBodyAssertion> body) {
        return Probing.get(url, null, expected, body, null);
    }

    @Test
    void httpSuccessByStatusAndHeadersAreSent() throws Exception {
        HttpGetAction action = new HttpGetAction(null, "127.0.0.1", upstream.port(), "/up", "HTTP",
                List.of(new HttpHeader("X-Probe", "yes")), null, null, null, null);
        ProbeOutcome outcome = http(action);
        assertThat(outcome.success()).isTrue();
        assertThat(outcome.message()).isEqualTo("HTTP 200");
        assertThat(upstream.lastProbeHeader).isEqualTo("yes");
    }

    @Test
    void http500IsUnexpectedStatus() throws Exception {
        ProbeOutcome outcome = http(url(upstream.url("/error"), null, null));
        assertThat(outcome.success()).isFalse();
        assertThat(outcome.reason()).isEqualTo(FailureReason.UnexpectedStatus);
        assertThat(outcome.message()).isEqualTo("HTTP 500, expected 200-399");
    }

    @Test
    void expectedStatusesAreHonoured() throws Exception {
        assertThat(http(url(upstream.url("/error"), List.of(500), null)).success()).isTrue();
        assertThat(http(url(upstream.url("/up"), List.of(204), null)).reason()).isEqualTo(FailureReason.UnexpectedStatus);
    }

    @Test
    void jsonBodyAssertions() throws Exception {
        ProbeOutcome matches = http(url(upstream.url("/up"), null, List.of(new JsonBodyAssertion("$.status", "UP"),
                new JsonBodyAssertion("$.checks[0].state", "ok"))));
        assertThat(matches.success()).as(matches.toString()).isTrue();
        ProbeOutcome down = http(url(upstream.url("/down"), null, List.of(new JsonBodyAssertion("$.status", "UP"))));
        assertThat(down.reason()).isEqualTo(FailureReason.BodyMismatch);
        assertThat(down.message()).isEqualTo("$.status is 'DOWN', expected 'UP'");
        ProbeOutcome missing = http(url(upstream.url("/up"), null, List.of(new JsonBodyAssertion("$.version", "1"))));
        assertThat(missing.message()).isEqualTo("$.version is missing");
        ProbeOutcome text = http(url(upstream.url("/text"), null, List.of(new JsonBodyAssertion("$.status", "UP"))));
        assertThat(text.reason()).isEqualTo(FailureReason.BodyMismatch);
        assertThat(text.message()).contains("not JSON");
    }

    @Test
    void oversizedBodyIsRefusedNotBuffered() throws Exception {
        ProbeOutcome outcome = http(url(upstream.url("/big"), null, List.of(new JsonBodyAssertion("$.pad", "x"))));
        assertThat(outcome.reason()).isEqualTo(FailureReason.BodyTooLarge);
        assertThat(outcome.message()).contains("65536 bytes");
    }

    @Test
    void hangingUpstreamTimesOut() throws Exception {
        long start = System.nanoTime();
        ProbeOutcome outcome = run(new HttpGetProbe(vertx, url(upstream.url("/hang"), null, null), JSON, 1024),
                SHORT_TIMEOUT_MS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(outcome.reason()).isEqualTo(FailureReason.Timeout);
        assertThat(outcome.message()).isEqualTo("no complete answer within 1500ms (waiting for the response headers)");
        assertThat(tookMillis).isLessThan(SHORT_TIMEOUT_MS + 5000); // bounded by the probe's timeout, not the upstream
    }

    @Test
    void closedPortIsConnectionRefused() throws Exception {
        int closed = Ports.closedPort();
        assertThat(http(url("http://127.0.0.1:" + closed + "/", null, null)).reason())
                .isEqualTo(FailureReason.ConnectionRefused);
        assertThat(run(new TcpSocketProbe(vertx, new TcpSocketAction("127.0.0.1", closed))).reason())
                .isEqualTo(FailureReason.ConnectionRefused);
        assertThat(run(new GrpcHealthProbe(vertx, new GrpcAction("127.0.0.1", closed, null))).reason())
                .isEqualTo(FailureReason.ConnectionRefused);
    }

    @Test
    void unknownHostIsDnsFailure() throws Exception {
        ProbeOutcome outcome = http(url("http://no-such-upstream.invalid/", null, null));
        assertThat(outcome.reason()).isEqualTo(FailureReason.DnsFailure);
        assertThat(run(new TcpSocketProbe(vertx, new TcpSocketAction("no-such-db.invalid", 5432)))
                .reason()).isEqualTo(FailureReason.DnsFailure);
    }

    @Test
    void untrustedCertificateIsTlsErrorUnlessVerificationIsSkipped() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
        HttpServer https = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                        .setKeyCertOptions(certificate.keyCertOptions()).setHost("127.0.0.1"))
                .requestHandler(request -> request.response().end("{}"));
        int port = https.listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        try {
            HttpGetAction verified = new HttpGetAction("https://127.0.0.1:" + port + "/", null, null, null, null, null,
                    null, null, null, null);
            // A generous timeout: the first TLS handshake of a JVM loads the trust store.
            ProbeOutcome refused = run(new HttpGetProbe(vertx, verified, JSON, 1024), 15_000);
            assertThat(refused.reason()).as(refused.toString()).isEqualTo(FailureReason.TlsError);
            HttpGetAction skipVerify = new HttpGetAction("https://127.0.0.1:" + port + "/", null, null, null, null,
                    null, null, null, true, null);
            assertThat(run(new HttpGetProbe(vertx, skipVerify, JSON, 1024), 15_000).success()).isTrue();
        } finally {
            https.close();
            certificate.delete();
        }
    }

    @Test
    void tcpSocketConnects() throws Exception {
        ProbeOutcome outcome = run(new TcpSocketProbe(vertx, new TcpSocketAction("127.0.0.1", upstream.port())));
        assertThat(outcome.success()).isTrue();
        assertThat(outcome.message()).isEqualTo("connected");
    }

    /**
     * A listener whose accept queue is full drops new SYNs, so a connect to it hangs in SYN_SENT; at the deadline
     * the probe answers Timeout and its half-open socket is gone (no SYN_SENT to that port is left), so a later
     * free slot in the queue is not taken by a probe that already gave up.
     */
    @Test
    void tcpSocketConnectToAFullBacklogIsAbortedAtTheDeadline() throws Exception {
        List<Socket> queued = new ArrayList<>();
        try (ServerSocket neverAccepts = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = neverAccepts.getLocalPort();
            boolean full = false;
            for (int i = 0; i < 16 && !full; i++) {
                Socket filler = new Socket();
                try {
                    filler.connect(new InetSocketAddress("127.0.0.1", port), 300);
                    queued.add(filler);
                } catch (SocketTimeoutException e) {
                    filler.close();
                    full = true;
                }
            }
            assertThat(full).as("the accept queue of the listener filled up").isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> synSentTo(port) == 0);

            ProbeOutcome outcome = run(new TcpSocketProbe(vertx, new TcpSocketAction("127.0.0.1", port)),
                    SHORT_TIMEOUT_MS);
            assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.Timeout);
            // The connect's own timeout is the time left, so it and the deadline end it at the same moment.
            assertThat(outcome.message()).matches("no complete answer within 1500ms \\(connecting\\)"
                    + "|connection timed out after \\d+ ms: /127\\.0\\.0\\.1:" + port);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> synSentTo(port) == 0);
        } finally {
            for (Socket socket : queued) {
                socket.close();
            }
        }
    }

    /** Sockets of this machine in SYN_SENT towards a port on the loopback, from the kernel's tables. */
    private static long synSentTo(int port) throws IOException {
        String remote = String.format(":%04X", port);
        long count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            count += Files.readAllLines(path).stream().skip(1).map(line -> line.trim().split("\\s+"))
                    .filter(fields -> fields.length > 3 && fields[2].endsWith(remote) && fields[3].equals("02"))
                    .count();
        }
        return count;
    }

    /**
     * The server side drops the pooled HTTP/2 connection just as the next probe sends on it (no GOAWAY): the
     * probe is sent again on a new connection and passes, it is never ConnectionClosed.
     */
    @Test
    void grpcPooledConnectionClosedByTheUpstreamIsNotAFailure() throws Exception {
        grpc.set("", ServingStatus.SERVING);
        try (CuttingProxy proxy = new CuttingProxy(grpc.port())) {
            GrpcHealthProbe probe = new GrpcHealthProbe(vertx, new GrpcAction("127.0.0.1", proxy.port(), null));
            try {
                for (int i = 0; i < 3; i++) {
                    ProbeOutcome outcome = Probing.once(vertx, probe, TIMEOUT_MS);
                    assertThat(outcome.success()).as("probe " + i + ": " + outcome).isTrue();
                    proxy.cutOnNextClientBytes();
                }
                // Probes 2 and 3 each lost their pooled connection and were sent again on a new one.
                assertThat(proxy.cuts.get()).isEqualTo(2);
                assertThat(proxy.connections.get()).isEqualTo(3);
            } finally {
                probe.close();
            }
        }
    }

    @Test
    void grpcHealthServingAndNotServing() throws Exception {
        grpc.set("", ServingStatus.SERVING);
        grpc.set("shop.Checkout", ServingStatus.NOT_SERVING);
        ProbeOutcome overall = run(new GrpcHealthProbe(vertx, new GrpcAction("127.0.0.1", grpc.port(), null)));
        assertThat(overall.success()).as(overall.toString()).isTrue();
        assertThat(overall.message()).isEqualTo("SERVING");

        ProbeOutcome service = run(new GrpcHealthProbe(vertx, new GrpcAction("127.0.0.1", grpc.port(), "shop.Checkout")));
        assertThat(service.reason()).isEqualTo(FailureReason.GrpcNotServing);
        assertThat(service.message()).isEqualTo("health status NOT_SERVING");

        ProbeOutcome unknown = run(new GrpcHealthProbe(vertx, new GrpcAction("127.0.0.1", grpc.port(), "no.Such")));
        assertThat(unknown.reason()).isEqualTo(FailureReason.GrpcError);
        assertThat(unknown.message()).startsWith("gRPC status NOT_FOUND");
    }

    @Test
    void grpcAgainstAnHttpServerIsAnError() throws Exception {
        ProbeOutcome outcome = run(new GrpcHealthProbe(vertx, new GrpcAction("127.0.0.1", upstream.port(), null)));
        assertThat(outcome.success()).isFalse();
        assertThat(outcome.reason()).isIn(FailureReason.GrpcError, FailureReason.ConnectionClosed,
                FailureReason.ConnectionReset, FailureReason.ProbeError);
    }

    @Test
    void grpcFramesAreStandardProtobuf() {
        assertThat(GrpcHealthProbe.frame("").getBytes()).containsExactly(0, 0, 0, 0, 0);
        assertThat(GrpcHealthProbe.frame("ab").getBytes()).containsExactly(0, 0, 0, 0, 4, 0x0A, 2, 'a', 'b');
        io.vertx.core.buffer.Buffer serving = io.vertx.core.buffer.Buffer.buffer(new byte[] {0, 0, 0, 0, 2, 0x08, 1});
        assertThat(GrpcHealthProbe.servingStatus(serving)).isEqualTo(1);
        io.vertx.core.buffer.Buffer empty = io.vertx.core.buffer.Buffer.buffer(new byte[] {0, 0, 0, 0, 0});
        assertThat(GrpcHealthProbe.servingStatus(empty)).isZero();
    }
}
