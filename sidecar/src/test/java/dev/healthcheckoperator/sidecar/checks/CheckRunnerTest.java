package dev.healthcheckoperator.sidecar.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.checks.probes.HttpGetProbe;
import dev.healthcheckoperator.sidecar.checks.spec.Check;
import dev.healthcheckoperator.sidecar.checks.spec.CheckDefinition;
import dev.healthcheckoperator.sidecar.checks.spec.FlapLimits;
import dev.healthcheckoperator.sidecar.checks.spec.HttpGetAction;
import dev.healthcheckoperator.sidecar.checks.probes.Probe;
import dev.healthcheckoperator.sidecar.checks.probes.ProbeDeadline;
import dev.healthcheckoperator.sidecar.checks.spec.JsonBodyAssertion;
import dev.healthcheckoperator.sidecar.testsupport.FakeUpstream;
import dev.healthcheckoperator.sidecar.testsupport.Probing;
import dev.healthcheckoperator.sidecar.testsupport.RawHttpServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CheckRunnerTest {

    private Vertx vertx;
    private FakeUpstream upstream;
    private SimpleMeterRegistry registry;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new FakeUpstream();
        registry = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() throws Exception {
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private CheckRunner runner(String path, int failureThreshold) {
        HttpGetAction action = new HttpGetAction(upstream.url(path), null, null, null, null, null, null, null, null, null);
        CheckDefinition def = new CheckDefinition("upstream", true, 1, 1, failureThreshold, 1, null, action, null, null);
        Check check = new Check("upstream", true, Duration.ofSeconds(1), Duration.ofSeconds(1) .minusMillis(700),
                failureThreshold, 1, def, FlapLimits.DEFAULT);
        return new CheckRunner(check, new HttpGetProbe(vertx, action, new ObjectMapper(), 1024), vertx, registry,
                Clock.systemUTC());
    }

    @Test
    void healthyUpstreamBecomesOkAndIsMeasured() {
        CheckRunner runner = runner("/up", 3);
        runner.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> runner.status().state() == CheckStatus.State.ok);
            assertThat(registry.get("sidecar.check.up").gauge().value()).isEqualTo(1.0);
            assertThat(registry.get("sidecar.check.duration").timer().count()).isPositive();
        } finally {
            runner.stop();
        }
    }

    @Test
    void failingUpstreamTurnsFailingAfterTheThreshold() {
        CheckRunner runner = runner("/error", 2);
        runner.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> runner.status().consecutiveFailures() >= 1);
            assertThat(runner.status().state()).isEqualTo(CheckStatus.State.unknown);
            await().atMost(Duration.ofSeconds(10)).until(() -> runner.status().state() == CheckStatus.State.failing);
            assertThat(runner.status().reason()).isEqualTo(FailureReason.UnexpectedStatus);
            // Every failure is counted under its reason; on a loaded machine one of them may be a Timeout (300 ms).
            assertThat(registry.get("sidecar.check.failures").tag("reason", "UnexpectedStatus").counter().count())
                    .isGreaterThanOrEqualTo(1);
            assertThat(registry.get("sidecar.check.failures").counters().stream().mapToDouble(c -> c.count()).sum())
                    .isGreaterThanOrEqualTo(2);
            assertThat(registry.get("sidecar.check.up").gauge().value()).isZero();
        } finally {
            runner.stop();
        }
    }

    /** A hung upstream must cost one connection at a time, never a growing queue of probes. */
    @Test
    void hungUpstreamNeverPilesUpProbes() {
        CheckRunner runner = runner("/hang", 1);
        long startedAt = System.nanoTime();
        runner.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> runner.status().state() == CheckStatus.State.failing);
            assertThat(runner.status().reason()).isEqualTo(FailureReason.Timeout);
            // Over about five periods, each probe times out and frees its connection before the next one
            // starts: never more than one probe per period, however slow the machine, and probing goes on.
            await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> true);
            int started = upstream.hangingRequests.get();
            long elapsedPeriods = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedAt);
            assertThat(started).isBetween(2, (int) elapsedPeriods + 1);
            assertThat(runner.status().consecutiveFailures()).isGreaterThanOrEqualTo(started - 1);
        } finally {
            runner.stop();
        }
    }

    private CheckRunner runner(Probe probe, Duration period, Duration timeout) {
        HttpGetAction unused = Probing.get("http://127.0.0.1:1/");
        CheckDefinition def = new CheckDefinition("upstream", true, null, null, 1, 1, null, unused, null, null);
        return new CheckRunner(new Check("upstream", true, period, timeout, 1, 1, def, FlapLimits.DEFAULT), probe, vertx, registry,
                Clock.systemUTC());
    }

    private double count(String meter, String reason) {
        return reason == null ? registry.get(meter).counter().count()
                : registry.get(meter).tag("reason", reason).counter().count();
    }

    /**
     * Issue 10's trickle: headers, then a byte every 0.3 s on a connection kept open. Each period costs one
     * Timeout (the deadline closes the connection and frees the slot, nothing is skipped), and the first probe
     * that starts after the upstream heals passes.
     */
    @Test
    void tricklingUpstreamCostsOneTimeoutPerPeriodAndRecoversOnceHealed() throws Exception {
        AtomicInteger healedAt = new AtomicInteger(-1);
        try (RawHttpServer trickling = new RawHttpServer((request, out, connection) -> {
            if (healedAt.get() >= 0) {
                RawHttpServer.respond(out, 200, "", "{\"status\":\"UP\"}");
                return true;
            }
            RawHttpServer.trickleBody(out);
            return false;
        })) {
            HttpGetAction action = Probing.get(trickling.url("/ready"), null, null,
                    List.of(new JsonBodyAssertion("$.status", "UP")), null);
            CheckRunner runner = runner(new HttpGetProbe(vertx, action, new ObjectMapper(), 64 * 1024),
                    Duration.ofSeconds(3), Duration.ofSeconds(1));
            long startedAt = System.nanoTime();
            runner.start();
            try {
                await().atMost(Duration.ofSeconds(40)).until(() -> runner.status().consecutiveFailures() >= 3);
                assertThat(runner.status().reason()).isEqualTo(FailureReason.Timeout);
                assertThat(runner.status().message()).isEqualTo("no complete answer within 1s (reading the body)");
                long periods = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedAt) / 3 + 1;
                assertThat(count("sidecar.check.failures", "Timeout")).isLessThanOrEqualTo(periods);
                // The deadline frees the slot 2 s before the next tick; only an event loop stalled that long by a
                // starved machine could make a tick find it taken. Before the fix, every tick after the first did.
                assertThat(count("sidecar.check.skipped", null)).isLessThanOrEqualTo(1);
                // Every timed-out probe's connection was closed by the sidecar, not left trickling.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> trickling.closedByClient.get() >= trickling.connections.get() - 1);

                double failuresBeforeHealing = count("sidecar.check.failures", "Timeout");
                healedAt.set(trickling.requests.get());
                await().atMost(Duration.ofSeconds(30)).until(() -> runner.status().state() == CheckStatus.State.ok);
                // At most the probe already trickling when the upstream healed may still time out.
                assertThat(count("sidecar.check.failures", "Timeout") - failuresBeforeHealing).isLessThanOrEqualTo(1);
                assertThat(trickling.requests.get() - healedAt.get()).isBetween(1, 2);
                assertThat(count("sidecar.check.skipped", null)).isLessThanOrEqualTo(1);
            } finally {
                runner.stop();
            }
        }
    }

    /** A probe that throws while it starts is a failed probe, and the next period probes again. */
    @Test
    void probeThatThrowsWhileStartingIsAProbeErrorAndNeverWedgesTheCheck() {
        AtomicInteger calls = new AtomicInteger();
        Probe throwing = new Probe() {
            @Override
            public Future<ProbeOutcome> run(ProbeDeadline deadline) {
                calls.incrementAndGet();
                throw new IllegalStateException("header value contains a control character");
            }

            @Override
            public void close() {
            }
        };
        CheckRunner runner = runner(throwing, Duration.ofSeconds(1), Duration.ofMillis(500));
        runner.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> calls.get() >= 3);
            await().atMost(Duration.ofSeconds(5)).until(() -> runner.status().consecutiveFailures() >= 3);
            assertThat(runner.status().reason()).isEqualTo(FailureReason.ProbeError);
            assertThat(runner.status().message()).isEqualTo(
                    "the probe could not run: IllegalStateException: header value contains a control character");
            assertThat(count("sidecar.check.skipped", null)).isZero();
            assertThat(count("sidecar.check.failures", "Timeout")).isZero();
        } finally {
            runner.stop();
        }
    }

    /**
     * Called from a plain thread (a test, any caller but CheckRunner), a probe still starts on an event loop, where
     * its I/O handlers run: any kind of probe, not only the HTTP one.
     */
    @Test
    void aProbeRunFromAnotherThreadStartsOnAnEventLoop() throws Exception {
        Probe reportsItsThread = new Probe() {
            @Override
            public Future<ProbeOutcome> run(ProbeDeadline deadline) {
                return Future.succeededFuture(Context.isOnEventLoopThread()
                        ? ProbeOutcome.success(Thread.currentThread().getName())
                        : ProbeOutcome.failure(FailureReason.ProbeError, Thread.currentThread().getName()));
            }

            @Override
            public void close() {
            }
        };
        ProbeOutcome outcome = ProbeDeadline.run(vertx, reportsItsThread, 1000).toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(outcome.success()).as(outcome.message()).isTrue();
        assertThat(outcome.message()).startsWith("vert.x-eventloop-thread-");
    }

    /** Like the kubelet's workers: the first probe at a random point of the first period, never all at once. */
    @Test
    void firstProbeStartsAtARandomOffsetInsideThePeriod() {
        SplittableRandom random = new SplittableRandom(42);
        long[] delays = new long[64];
        for (int i = 0; i < delays.length; i++) {
            delays[i] = CheckRunner.initialDelayMillis(10_000, random);
        }
        for (long delay : delays) {
            assertThat(delay).isBetween(1L, 10_000L);
        }
        assertThat(java.util.Arrays.stream(delays).distinct().count()).isGreaterThan(60);
        assertThat(java.util.Arrays.stream(delays).max().getAsLong() - java.util.Arrays.stream(delays).min()
                .getAsLong()).isGreaterThan(5_000);
        assertThat(CheckRunner.initialDelayMillis(1, random)).isEqualTo(1);
    }
}
