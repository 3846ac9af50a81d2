package dev.healthcheckoperator.sidecar.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.checks.probes.HttpGetProbe;
import dev.healthcheckoperator.sidecar.checks.spec.Check;
import dev.healthcheckoperator.sidecar.checks.spec.CheckDefinition;
import dev.healthcheckoperator.sidecar.checks.spec.HttpGetAction;
import dev.healthcheckoperator.sidecar.testsupport.FakeUpstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
        CheckDefinition def = new CheckDefinition("upstream", true, 1, 1, failureThreshold, 1, action, null, null);
        Check check = new Check("upstream", true, Duration.ofSeconds(1), Duration.ofSeconds(1) .minusMillis(700),
                failureThreshold, 1, def);
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
            assertThat(registry.get("sidecar.check.failures").tag("reason", "UnexpectedStatus").counter().count())
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
}
