package dev.healthcheckoperator.operator.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.config.OperatorConfig.PollMode;
import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.testsupport.Blackhole;
import dev.healthcheckoperator.operator.testsupport.MisbehavingSidecar;
import dev.healthcheckoperator.operator.testsupport.MisbehavingSidecar.Behaviour;
import dev.healthcheckoperator.operator.testsupport.StubSidecar;
import dev.healthcheckoperator.operator.testsupport.TestHealthChecks;
import dev.healthcheckoperator.operator.testsupport.TestPollConfig;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One poll against sidecars that misbehave on raw sockets: whatever the peer does, the poll ends by its deadline
 * or at the body limit, and the connection is dropped rather than left to the peer.
 */
class HealthPollerTest {

    static final String DIRECT = "http://127.0.0.1:{port}/health";
    /** Generous against the 1 s deadline of these polls, tiny against "forever". */
    static final Duration BOUND = Duration.ofSeconds(20);

    final TestPollConfig config = TestPollConfig.withTimeout(Duration.ofSeconds(1));
    final HealthPoller poller = new HealthPoller(config, new UrlTemplateFetcher(DIRECT, config.timeout()),
            new PollProgress(new SimpleMeterRegistry()));

    @Test
    void templatesAreFilledFromTheTarget() {
        PollTarget target = new PollTarget("shop", "checkout", "checkout-healthcheck", 8080);
        assertEquals("http://checkout-healthcheck.shop.svc:8080/health",
                target.expand(UrlTemplateFetcher.SERVICE_DNS_TEMPLATE));
        assertEquals("http://127.0.0.1:8080/shop/checkout", target.expand("http://127.0.0.1:{port}/{namespace}/{name}"));
    }

    @Test
    void anExplicitModeIsKept() {
        for (PollMode mode : new PollMode[] { PollMode.DIRECT, PollMode.SERVICE_DNS, PollMode.API_SERVER_PROXY }) {
            assertEquals(mode, HealthPoller.resolveMode(mode));
        }
    }

    @Test
    void directFetchReadsTheSidecar() throws Exception {
        try (StubSidecar sidecar = new StubSidecar()) {
            sidecar.answer("down", "db:failing:critical");
            UrlTemplateFetcher fetcher = new UrlTemplateFetcher(DIRECT, Duration.ofSeconds(2));
            SidecarResponse response = fetcher.fetch(target(sidecar.port()), Duration.ofSeconds(2))
                    .get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertEquals(503, response.statusCode());
            assertTrue(response.body().contains("\"status\":\"down\""));

            PollResult result = poll(sidecar.port());
            assertTrue(result.answered());
            assertEquals(Health.Unhealthy, result.report().health());
        }
    }

    /**
     * java.net.http hands the answer of each sendAsync to CompletableFuture's default executor, which starts a new
     * thread per task when the common pool has fewer than 2 threads (a JVM that sees 1 or 2 CPUs): a thread per
     * poll, hundreds a second at 10,000 HealthChecks. operator/jvm.options gives the common pool 2 threads (the
     * tests run with it, ShippedJvmOptionsTest).
     */
    @Test
    void pollsStartNoThreadEach() throws Exception {
        try (StubSidecar sidecar = new StubSidecar()) {
            sidecar.answer("ok", "db:ok");
            assertTrue(poll(sidecar.port()).answered(), "the client's own threads start with the first poll");
            long started = threadsStartedBy(() -> assertTrue(poll(sidecar.port()).answered()));
            assertTrue(started < 30, started + " threads started for 100 polls");
        }
        // A poll that fails (here: nothing listens) is handed over the same way.
        int closed = TestHealthChecks.freePort();
        long started = threadsStartedBy(() -> assertFalse(poll(closed).answered()));
        assertTrue(started < 30, started + " threads started for 100 refused polls");
    }

    /**
     * A connection per poll, closed after the answer, as the kubelet's prober does: kept alive, the JDK client would
     * find a sidecar's idle connection again by scanning all of them, one per answering sidecar, at every poll.
     */
    @Test
    void eachPollHasAConnectionOfItsOwn() throws Exception {
        assertTrue(UrlTemplateFetcher.CLOSES_EACH_CONNECTION, "jdk.httpclient.allowRestrictedHeaders=connection");
        try (StubSidecar sidecar = new StubSidecar()) {
            for (int i = 0; i < 5; i++) {
                assertTrue(poll(sidecar.port()).answered());
            }
            assertEquals(5, sidecar.polls());
            assertEquals(5, sidecar.connections());
        }
    }

    /** A peer that ignores the close and keeps its connection open is still asked, and answers, poll after poll. */
    @Test
    void aSidecarThatKeepsItsConnectionOpenIsStillPolled() throws Exception {
        try (MisbehavingSidecar sidecar = new MisbehavingSidecar(Behaviour.KEEPS_ALIVE)) {
            for (int i = 0; i < 3; i++) {
                PollResult result = poll(sidecar.port());
                assertTrue(result.answered(), result.toString());
                assertEquals(Health.Healthy, result.report().health());
            }
        }
    }

    /** Threads the JVM started while this poll ran 100 times. */
    private static long threadsStartedBy(Runnable poll) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long before = threads.getTotalStartedThreadCount();
        for (int i = 0; i < 100; i++) {
            poll.run();
        }
        return threads.getTotalStartedThreadCount() - before;
    }

    @Test
    void apiServerProxyUrlGoesThroughTheServiceProxy() {
        try (var client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl("https://10.0.0.1:6443")
                        .build())
                .build()) {
            ApiServerProxyFetcher fetcher = new ApiServerProxyFetcher(client);
            assertEquals("https://10.0.0.1:6443/api/v1/namespaces/shop/services/checkout-healthcheck:health/proxy/health",
                    fetcher.describe(new PollTarget("shop", "checkout", "checkout-healthcheck", 8080)));
        }
    }

    @Test
    void nothingListeningIsAFailureWithAMessageThatDoesNotChangeFromPollToPoll() {
        int port = TestHealthChecks.freePort();

        PollResult result = poll(port);

        assertFalse(result.answered());
        assertEquals(Health.Unknown, result.report().health());
        assertEquals("SidecarUnreachable", result.report().reason());
        assertEquals("GET http://127.0.0.1:" + port + "/health failed: ConnectException", result.report().message());
        assertEquals(result, poll(port));
    }

    @Test
    void aConnectThatHangsEndsAtTheDeadline() throws Exception {
        try (Blackhole blackhole = new Blackhole()) {
            PollResult result = poll(blackhole.port());

            assertFalse(result.answered());
            assertEquals("SidecarUnreachable", result.report().reason());
        }
    }

    @Test
    void aSidecarThatStallsAfterItsHeadersCostsOneDeadlineAndIsHungUpOn() throws Exception {
        try (MisbehavingSidecar sidecar = new MisbehavingSidecar(Behaviour.STALL_AFTER_HEADERS)) {
            PollResult result = failsAndHangsUp(sidecar, "SidecarUnreachable");

            assertEquals("GET http://127.0.0.1:" + sidecar.port() + "/health: no complete answer within 1s",
                    result.report().message());
        }
    }

    @Test
    void aTricklingSidecarCostsOneDeadline() throws Exception {
        try (MisbehavingSidecar sidecar = new MisbehavingSidecar(Behaviour.TRICKLE)) {
            failsAndHangsUp(sidecar, "SidecarUnreachable");

            long sent = sidecar.bytesSent();
            // Hung up on: nothing more goes out on that connection.
            await().pollDelay(Duration.ofMillis(500)).atMost(BOUND).until(() -> sidecar.bytesSent() == sent);
        }
    }

    @Test
    void anEndlessBodyIsReadOnlyUpToTheLimit() throws Exception {
        try (MisbehavingSidecar sidecar = new MisbehavingSidecar(Behaviour.ENDLESS_BODY)) {
            PollResult result = failsAndHangsUp(sidecar, "UnexpectedResponse");

            assertEquals("GET http://127.0.0.1:" + sidecar.port() + "/health: the answer exceeds 64 KiB",
                    result.report().message());
            // What the peer got out before the hang-up is what the socket buffers took, not "gigabytes".
            assertTrue(sidecar.bytesSent() < 64L * 1024 * 1024, sidecar.bytesSent() + " bytes sent");
        }
    }

    @Test
    void aFiveMegabyteAnswerIsRefusedAtTheLimit() throws Exception {
        try (MisbehavingSidecar sidecar = new MisbehavingSidecar(Behaviour.FIVE_MEGABYTES)) {
            PollResult result = failsAndHangsUp(sidecar, "UnexpectedResponse");

            assertTrue(result.report().message().endsWith("the answer exceeds 64 KiB"), result.report().message());
        }
    }

    @Test
    void throughTheApiServerProxyTheSameLimitsHold() throws Exception {
        for (Behaviour behaviour : new Behaviour[] { Behaviour.STALL_AFTER_HEADERS, Behaviour.ENDLESS_BODY,
                Behaviour.FIVE_MEGABYTES }) {
            try (MisbehavingSidecar sidecar = new MisbehavingSidecar(behaviour);
                    var client = clientOf(sidecar)) {
                HealthPoller viaProxy = viaProxy(client);
                PollResult result = viaProxy.poll(target(sidecar.port())).get(BOUND.toSeconds(), TimeUnit.SECONDS);

                assertFalse(result.answered(), behaviour + ": " + result);
                assertEquals(behaviour == Behaviour.STALL_AFTER_HEADERS ? "SidecarUnreachable" : "UnexpectedResponse",
                        result.report().reason(), behaviour + ": " + result);
                await().atMost(BOUND).until(() -> sidecar.closedByClient() == 1);
            }
        }
    }

    @Test
    void aDownAnswerThroughTheApiServerProxyIsNotRetried() throws Exception {
        try (MisbehavingSidecar sidecar = new MisbehavingSidecar(Behaviour.DOWN); var client = clientOf(sidecar)) {
            HealthPoller viaProxy = viaProxy(client);

            PollResult result = viaProxy.poll(target(sidecar.port())).get(BOUND.toSeconds(), TimeUnit.SECONDS);

            // The Kubernetes client retries 5xx by default: a sidecar's 503 is an answer, and asked for once.
            assertEquals(1, sidecar.connections());
            assertTrue(result.answered(), result.toString());
            assertEquals(Health.Unhealthy, result.report().health());
        }
    }

    /** A longer deadline: the first request of a Kubernetes client in a JVM starts its HTTP stack, which takes time. */
    private static HealthPoller viaProxy(io.fabric8.kubernetes.client.KubernetesClient client) {
        return new HealthPoller(TestPollConfig.withTimeout(Duration.ofSeconds(5)), new ApiServerProxyFetcher(client),
                new PollProgress(new SimpleMeterRegistry()));
    }

    /** A Kubernetes client whose "API server" is the peer: it answers every path, the service proxy's too. */
    private static io.fabric8.kubernetes.client.KubernetesClient clientOf(MisbehavingSidecar sidecar) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + sidecar.port()).build()).build();
    }

    /** One poll: it fails (Unknown, counted towards the threshold) and the connection is closed, not left open. */
    private PollResult failsAndHangsUp(MisbehavingSidecar sidecar, String reason) {
        PollResult result = poll(sidecar.port());
        assertFalse(result.answered());
        assertEquals(Health.Unknown, result.report().health());
        assertEquals(reason, result.report().reason());
        await().atMost(BOUND).until(() -> sidecar.closedByClient() == 1);
        return result;
    }

    @Test
    void aFetcherThatThrowsCostsOnePoll() throws Exception {
        SidecarFetcher throwing = new SidecarFetcher() {
            @Override
            public CompletableFuture<SidecarResponse> fetch(PollTarget target, Duration timeout) {
                throw new IllegalStateException("broken fetcher");
            }

            @Override
            public String describe(PollTarget target) {
                return "broken";
            }
        };
        HealthPoller broken = new HealthPoller(config, throwing, new PollProgress(new SimpleMeterRegistry()));

        PollResult result = broken.poll(target(1)).get(BOUND.toSeconds(), TimeUnit.SECONDS);

        assertFalse(result.answered());
        assertEquals("GET broken failed: IllegalStateException", result.report().message());
    }

    @Test
    void aFetcherThatNeverCompletesIsCancelledAtTheDeadline() throws Exception {
        CompletableFuture<SidecarResponse> never = new CompletableFuture<>();
        SidecarFetcher hanging = new SidecarFetcher() {
            @Override
            public CompletableFuture<SidecarResponse> fetch(PollTarget target, Duration timeout) {
                return never;
            }

            @Override
            public String describe(PollTarget target) {
                return "hanging";
            }
        };
        HealthPoller poller = new HealthPoller(config, hanging, new PollProgress(new SimpleMeterRegistry()));

        PollResult result = poller.poll(target(1)).get(BOUND.toSeconds(), TimeUnit.SECONDS);

        assertEquals("GET hanging: no complete answer within 1s", result.report().message());
        assertTrue(never.isCancelled(), "the deadline cancels the work, not only the wait");
    }

    private PollResult poll(int port) {
        try {
            return poller.poll(target(port)).get(BOUND.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the poll did not complete within " + BOUND, e);
        }
    }

    private static PollTarget target(int port) {
        return new PollTarget("ns", "hc", "hc-healthcheck", port);
    }
}
