package dev.healthcheckoperator.sidecar.checks.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.HttpGetAction;
import dev.healthcheckoperator.sidecar.checks.spec.HttpHeader;
import dev.healthcheckoperator.sidecar.checks.spec.JsonBodyAssertion;
import dev.healthcheckoperator.sidecar.testsupport.Probing;
import dev.healthcheckoperator.sidecar.testsupport.RawHttpServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * httpGet against upstreams that misbehave on purpose (raw sockets on 127.0.0.1): every one costs at most the
 * probe's deadline, and the connection is closed rather than drained.
 */
class HostileUpstreamTest {

    /** Long enough for a busy machine to answer a healthy request; the misbehaving ones never answer in time. */
    private static final long TIMEOUT_MS = 1500;
    private static final int BODY_CAP = 64 * 1024;
    private static final List<JsonBodyAssertion> STATUS_UP = List.of(new JsonBodyAssertion("$.status", "UP"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Vertx vertx;
    private RawHttpServer server;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopServer() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private ProbeOutcome probe(HttpGetAction action) throws Exception {
        HttpGetProbe probe = new HttpGetProbe(vertx, action, JSON, BODY_CAP);
        try {
            return Probing.once(vertx, probe, TIMEOUT_MS);
        } finally {
            probe.close();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static boolean trickleBody(RawHttpServer.Request request, OutputStream out, RawHttpServer.Connection c)
            throws IOException, InterruptedException {
        RawHttpServer.trickleBody(out);
        return false;
    }

    private static boolean streamForever(RawHttpServer.Request request, OutputStream out, RawHttpServer.Connection c)
            throws IOException {
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        String chunk = "2000\r\n" + " ".repeat(0x2000) + "\r\n";
        while (true) {
            write(out, chunk); // blocks on TCP back-pressure; fails once the client has closed the connection
        }
    }

    @Test
    void tricklingBodyTimesOutAtTheDeadlineAndTheConnectionIsClosed() throws Exception {
        server = new RawHttpServer(HostileUpstreamTest::trickleBody);
        ProbeOutcome outcome = probe(Probing.get(server.url("/"), null, null, STATUS_UP, null));
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.Timeout);
        assertThat(outcome.message()).isEqualTo("no complete answer within 1500ms (reading the body)");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.closedByClient.get() == 1);
    }

    @Test
    void tricklingHeadersTimeOut() throws Exception {
        server = new RawHttpServer((request, out, c) -> {
            write(out, "HTTP/1.1 200 OK\r\n");
            for (int i = 0; i < 100; i++) {
                Thread.sleep(300);
                write(out, "X-Slow-" + i + ": a\r\n");
            }
            return false;
        });
        ProbeOutcome outcome = probe(Probing.get(server.url("/")));
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.Timeout);
        assertThat(outcome.message()).isEqualTo("no complete answer within 1500ms (waiting for the response headers)");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.closedByClient.get() == 1);
    }

    @Test
    void statusOnlyCheckDecidesOnTheStatusLineAndClosesAnEndlessBody() throws Exception {
        server = new RawHttpServer((request, out, c) -> streamForever(request, out, c));
        ProbeOutcome outcome = probe(Probing.get(server.url("/")));
        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        assertThat(outcome.message()).isEqualTo("HTTP 200");
        // Not drained: the connection is reset, so the endless writer fails.
        await().atMost(Duration.ofSeconds(10)).until(() -> server.closedByClient.get() == 1);
    }

    @Test
    void statusOnlyCheckDoesNotWaitForATricklingBody() throws Exception {
        server = new RawHttpServer(HostileUpstreamTest::trickleBody);
        ProbeOutcome outcome = probe(Probing.get(server.url("/")));
        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.closedByClient.get() == 1);
    }

    @Test
    void endlessBodyOfAJsonCheckStopsAtTheCap() throws Exception {
        server = new RawHttpServer((request, out, c) -> streamForever(request, out, c));
        ProbeOutcome outcome = probe(Probing.get(server.url("/"), null, null, STATUS_UP, null));
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.BodyTooLarge);
        assertThat(outcome.message()).isEqualTo("response body larger than 65536 bytes");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.closedByClient.get() == 1);
    }

    @Test
    void announcedOversizedBodyIsRefusedBeforeReadingIt() throws Exception {
        server = new RawHttpServer((request, out, c) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n");
            byte[] megabyte = new byte[1 << 20];
            for (int i = 0; i < 100; i++) {
                out.write(megabyte);
            }
            return false;
        });
        ProbeOutcome outcome = probe(Probing.get(server.url("/"), null, null, STATUS_UP, null));
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.BodyTooLarge);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.closedByClient.get() == 1);
    }

    @Test
    void bodyAtTheCapIsParsed() throws Exception {
        String padded = "{\"status\":\"UP\",\"pad\":\"" + "x".repeat(BODY_CAP - 40) + "\"}";
        assertThat(padded.length()).isLessThanOrEqualTo(BODY_CAP);
        server = new RawHttpServer((request, out, c) -> {
            RawHttpServer.respond(out, 200, "", padded);
            return true;
        });
        ProbeOutcome outcome = probe(Probing.get(server.url("/"), null, null, STATUS_UP, null));
        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        assertThat(outcome.message()).isEqualTo("HTTP 200, body matches");
    }

    @Test
    void userAgentAndHostOfTheUserReplaceTheDefaults() throws Exception {
        server = new RawHttpServer((request, out, c) -> {
            RawHttpServer.respond(out, 200, "", "{}");
            return true;
        });
        ProbeOutcome outcome = probe(Probing.get(server.url("/"), List.of(new HttpHeader("user-agent", "shop-probe/1"),
                new HttpHeader("Host", "shop.example.com"), new HttpHeader("X-Probe", "a"),
                new HttpHeader("X-Probe", "b")), null, null, null));
        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        RawHttpServer.Request request = server.received.peek();
        assertThat(request.values("User-Agent")).containsExactly("shop-probe/1");
        assertThat(request.values("Host")).containsExactly("shop.example.com");
        assertThat(request.values("X-Probe")).containsExactly("a", "b");
    }

    @Test
    void defaultUserAgentAndHostAreSentOnce() throws Exception {
        server = new RawHttpServer((request, out, c) -> {
            RawHttpServer.respond(out, 200, "", "{}");
            return true;
        });
        assertThat(probe(Probing.get(server.url("/"))).success()).isTrue();
        RawHttpServer.Request request = server.received.peek();
        assertThat(request.values("User-Agent")).containsExactly(HttpGetProbe.DEFAULT_USER_AGENT);
        assertThat(request.values("Host")).containsExactly("127.0.0.1:" + server.port());
    }

    /**
     * The keep-alive race: the upstream closes a pooled connection just as the next probe sends on it. That
     * probe must not fail with ConnectionClosed; it is sent once more, on a new connection.
     */
    @Test
    void aPooledConnectionClosedByTheUpstreamIsNotAFailure() throws Exception {
        server = new RawHttpServer((request, out, connection) -> {
            if (connection.served > 0) {
                return false; // reads the second request, then closes without an answer
            }
            RawHttpServer.respond(out, 200, "", "{\"status\":\"UP\"}");
            return true;
        });
        threeProbesOnOnePoolPass();
        // Probes 2 and 3 each found their pooled connection closed, and were sent again on a new one.
        assertThat(server.connections.get()).isEqualTo(3);
        assertThat(server.requests.get()).isEqualTo(5);
    }

    @Test
    void aConnectionTheUpstreamClosedWhileIdleIsNotAFailure() throws Exception {
        server = new RawHttpServer((request, out, connection) -> {
            RawHttpServer.respond(out, 200, "", "{}"); // keep-alive response, then the server closes anyway
            return false;
        });
        threeProbesOnOnePoolPass();
        assertThat(server.connections.get()).isEqualTo(3);
    }

    private void threeProbesOnOnePoolPass() throws Exception {
        HttpGetProbe probe = new HttpGetProbe(vertx, Probing.get(server.url("/")), JSON, BODY_CAP);
        try {
            for (int i = 0; i < 3; i++) {
                ProbeOutcome outcome = Probing.once(vertx, probe, TIMEOUT_MS);
                assertThat(outcome.success()).as("probe " + i + ": " + outcome).isTrue();
            }
        } finally {
            probe.close();
        }
    }

    /** The loader refuses such a value; should one reach the probe anyway, it is a failed probe, not a hang. */
    @Test
    void aHeaderThatCannotBeSentIsAProbeError() throws Exception {
        server = new RawHttpServer((request, out, c) -> {
            RawHttpServer.respond(out, 200, "", "{}");
            return true;
        });
        HttpGetAction bad = Probing.get(server.url("/"), List.of(new HttpHeader("X-Probe", "a\u0001b")), null, null,
                null);
        ProbeOutcome outcome = probe(bad);
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.ProbeError);
        assertThat(outcome.message()).isNotBlank();
        assertThat(server.requests.get()).isZero();
    }
}
