package dev.healthcheckoperator.operator.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.testsupport.TestPollConfig;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The scheduler with a fetcher the test scripts per port: stale answers, deletion, the failure threshold, errors
 * that must not end polling, and a stuck poller showing on the operator's health check.
 */
class PollSchedulerTest {

    static final Duration BOUND = Duration.ofSeconds(20);
    static final String OK = "{\"status\":\"ok\",\"checks\":[]}";
    static final String DOWN = "{\"status\":\"down\",\"checks\":[{\"name\":\"db\",\"status\":\"failing\"}]}";

    final ScriptedFetcher fetcher = new ScriptedFetcher();
    final RecordingListener listener = new RecordingListener();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final PollProgress progress = new PollProgress(registry);
    TestPollConfig config = TestPollConfig.withTimeout(Duration.ofSeconds(5)).withInterval(Duration.ofMillis(100));
    PollScheduler scheduler;

    @AfterEach
    void stop() {
        if (scheduler != null) {
            scheduler.stop();
        }
    }

    @Test
    void aLateAnswerFromAReplacedAddressIsDropped() {
        CompletableFuture<SidecarResponse> oldAddress = new CompletableFuture<>();
        fetcher.script(1, attempt -> oldAddress);
        fetcher.script(2, attempt -> answer(OK));
        start();

        scheduler.watch("uid-a", id("a"), target(1), Duration.ZERO, false);
        await().atMost(BOUND).until(() -> fetcher.calls(1) == 1);
        scheduler.watch("uid-a", id("a"), target(2), Duration.ZERO, false);
        await().atMost(BOUND).until(() -> listener.reportsOf("uid-a").size() >= 2);
        oldAddress.complete(new SidecarResponse(503, DOWN));

        await().atMost(BOUND).until(() -> fetcher.calls(2) >= 4);
        assertTrue(listener.reportsOf("uid-a").stream().allMatch(r -> r.health() == Health.Healthy),
                listener.reportsOf("uid-a").toString());
        assertEquals(Health.Healthy, scheduler.published("uid-a").orElseThrow().health());
        assertEquals(1, fetcher.calls(1), "the old address is not polled again");
    }

    @Test
    void theFirstPollIsPendingUntilItCompletesAndAnUndecidedOneIsAnnouncedOnce() {
        CompletableFuture<SidecarResponse> first = new CompletableFuture<>();
        fetcher.script(1, attempt -> attempt == 0 ? first : refused());
        start();

        assertEquals(Optional.empty(), scheduler.firstPollPendingFor("uid-a"), "not watched: nothing pending");
        scheduler.watch("uid-a", id("a"), target(1), Duration.ZERO, false);
        await().atMost(BOUND).until(() -> fetcher.calls(1) == 1);
        Duration left = scheduler.firstPollPendingFor("uid-a").orElseThrow();
        assertTrue(left.compareTo(config.timeout()) <= 0, left.toString());

        // Refused: one failure decides nothing, and says so once; later failures say nothing more.
        first.completeExceptionally(new java.net.ConnectException("refused"));
        await().atMost(BOUND).until(() -> fetcher.calls(1) >= 4);
        assertEquals(Optional.empty(), scheduler.firstPollPendingFor("uid-a"));
        assertEquals(1, listener.undecidedFirstPolls("uid-a"));
    }

    @Test
    void theFirstPollIsNoLongerPendingOnceTheTimeoutSinceTheWatchHasPassed() {
        config = TestPollConfig.withTimeout(Duration.ofMillis(300)).withInterval(Duration.ofMillis(100));
        fetcher.script(1, attempt -> new CompletableFuture<>());
        start();

        // Its first poll is due in an hour: the window still closes at the timeout.
        scheduler.watch("uid-a", id("a"), target(1), Duration.ofHours(1), false);
        assertTrue(scheduler.firstPollPendingFor("uid-a").isPresent());
        await().atMost(BOUND).until(() -> scheduler.firstPollPendingFor("uid-a").isEmpty());
    }

    @Test
    void atMostOnePollIsInFlightPerTarget() {
        CompletableFuture<SidecarResponse> slow = new CompletableFuture<>();
        fetcher.script(1, attempt -> attempt == 0 ? slow : answer(OK));
        start();

        scheduler.watch("uid-a", id("a"), target(1), Duration.ZERO, false);
        await().atMost(BOUND).until(() -> fetcher.calls(1) == 1);
        // Many intervals (100 ms) pass while the first poll is in flight: no second one starts.
        await().pollDelay(Duration.ofSeconds(1)).atMost(BOUND).until(() -> true);
        assertEquals(1, fetcher.calls(1));

        slow.complete(new SidecarResponse(200, OK));
        await().atMost(BOUND).until(() -> fetcher.calls(1) >= 3);
        assertEquals(1, fetcher.maxConcurrent(1));
    }

    @Test
    void aForgottenHealthCheckIsNotPolledAndItsLateAnswerIsDropped() {
        CompletableFuture<SidecarResponse> inFlight = new CompletableFuture<>();
        fetcher.script(1, attempt -> attempt == 0 ? inFlight : answer(OK));
        start();

        scheduler.watch("uid-old", id("a"), target(1), Duration.ZERO, false);
        await().atMost(BOUND).until(() -> fetcher.calls(1) == 1);
        scheduler.forget("uid-old");
        // Created again under the same name: another UID, and nothing of the old one carries over.
        scheduler.watch("uid-new", id("a"), target(1), Duration.ofHours(1), false);
        inFlight.complete(new SidecarResponse(503, DOWN));

        await().pollDelay(Duration.ofMillis(500)).atMost(BOUND).until(() -> true);
        assertEquals(Optional.empty(), scheduler.published("uid-new"));
        assertEquals(Optional.empty(), scheduler.published("uid-old"));
        assertEquals(List.of(), listener.reportsOf("uid-old"));
        assertEquals(1, fetcher.calls(1));
    }

    @Test
    void failuresBelowTheThresholdKeepTheLastAnswer() {
        // fail, fail, answer, fail, fail, answer...: never three failures in a row.
        fetcher.script(1, attempt -> attempt % 3 == 2 ? answer(OK) : refused());
        start();

        scheduler.watch("uid-a", id("a"), target(1), Duration.ZERO, false);
        await().atMost(BOUND).until(() -> fetcher.calls(1) >= 12);

        assertEquals(Optional.of(Health.Healthy), scheduler.published("uid-a").map(HealthReport::health));
        assertTrue(listener.reportsOf("uid-a").stream().allMatch(r -> r.health() == Health.Healthy),
                listener.reportsOf("uid-a").toString());
    }

    @Test
    void theThresholdOfFailuresInARowMakesItUnknownAndAnAnswerEndsIt() {
        AtomicInteger answerFrom = new AtomicInteger(Integer.MAX_VALUE);
        fetcher.script(1, attempt -> attempt == 0 || attempt >= answerFrom.get() ? answer(OK) : refused());
        start();

        scheduler.watch("uid-a", id("a"), target(1), Duration.ZERO, false);
        await().atMost(BOUND).until(() -> scheduler.published("uid-a").map(HealthReport::health)
                .orElse(null) == Health.Unknown);
        List<HealthReport> reports = listener.reportsOf("uid-a");
        assertEquals("SidecarUnreachable", reports.get(reports.size() - 1).reason());
        // Healthy from the first answer, then exactly two more polls that failed without changing it.
        assertEquals(3, reports.stream().filter(r -> r.health() == Health.Healthy).count(), reports.toString());

        answerFrom.set(fetcher.calls(1));
        await().atMost(BOUND).until(() -> scheduler.published("uid-a").map(HealthReport::health)
                .orElse(null) == Health.Healthy);
    }

    @Test
    void throwablesCostOnePollEachAndPollingGoesOn() {
        fetcher.script(1, attempt -> {
            if (attempt < 2) {
                throw new StackOverflowError("a fetcher bug");
            }
            return answer(OK);
        });
        listener.failFirst(2);
        start();

        scheduler.watch("uid-a", id("a"), target(1), Duration.ZERO, false);

        await().atMost(BOUND).until(() -> fetcher.calls(1) >= 6);
        assertEquals(Optional.of(Health.Healthy), scheduler.published("uid-a").map(HealthReport::health));
        // The listener's two failures were counted too: every Throwable on the scheduler thread is.
        await().atMost(BOUND).until(() -> progressErrors() >= 2);
    }

    @Test
    void aStuckPollerShowsOnTheHealthCheckAndRecovers() {
        config = config.withStuckAfter(Duration.ofSeconds(2));
        fetcher.script(1, attempt -> answer(OK));
        CountDownLatch release = new CountDownLatch(1);
        listener.blockOn(release);
        start();
        PollerHealthCheck healthCheck = new PollerHealthCheck(progress);
        assertEquals(HealthCheckResponse.Status.UP, healthCheck.call().getStatus());

        scheduler.watch("uid-a", id("a"), target(1), Duration.ZERO, false);
        scheduler.watch("uid-b", id("b"), target(1), Duration.ZERO, false);

        // The scheduler thread hangs in the listener: polls fall overdue and none completes.
        await().atMost(BOUND).until(() -> healthCheck.call().getStatus() == HealthCheckResponse.Status.DOWN);
        HealthCheckResponse down = healthCheck.call();
        assertEquals(PollerHealthCheck.NAME, down.getName());
        assertEquals(2L, down.getData().orElseThrow().get("targets"));
        // A completion that waits for the hung thread leaves its poll in flight, as far as the scheduler knows, and
        // soon past its deadline.
        await().atMost(BOUND).until(() -> progress.snapshot().maxOverrun().toMillis() >= 1000);

        release.countDown();
        await().atMost(BOUND).until(() -> healthCheck.call().getStatus() == HealthCheckResponse.Status.UP);
        await().atMost(BOUND).until(() -> progress.snapshot().maxOverrun().isZero());
    }

    @Test
    void unreachableTargetsDoNotTakeTheSlotsOfReachableOnes() {
        // Known to fail (the status says so): they start in the lane of failing targets.
        reachableKeepsItsPeriodBesideTwentyUnreachable(i -> 1, true);
    }

    @Test
    void sidecarsThatStopAnsweringAllAtOnceDoNotTakeTheSlotsOfReachableOnes() {
        // Each answered its first poll, so its next one starts in the lane of the answering targets.
        reachableKeepsItsPeriodBesideTwentyUnreachable(i -> 100 + i, false);
    }

    private void reachableKeepsItsPeriodBesideTwentyUnreachable(java.util.function.IntUnaryOperator port,
            boolean knownFailing) {
        config = new TestPollConfig(Duration.ofMillis(100), Duration.ofSeconds(2), 2, 1, Duration.ofSeconds(2),
                Duration.ofSeconds(30));
        // Unreachable ports answer at most their first poll, then never (each poll holds its slot until the 2 s
        // deadline); port 2 always answers at once.
        for (int i = 0; i < 20; i++) {
            fetcher.script(port.applyAsInt(i), attempt -> attempt == 0 && !knownFailing ? answer(OK)
                    : new CompletableFuture<>());
        }
        fetcher.script(2, attempt -> answer(OK));
        start();
        for (int i = 0; i < 20; i++) {
            scheduler.watch("uid-unreachable-" + i, id("u" + i), target(port.applyAsInt(i)), Duration.ZERO,
                    knownFailing);
        }
        if (!knownFailing) {
            await().atMost(BOUND).until(() -> listener.reportsOf("uid-unreachable-19").size() == 1);
        }
        scheduler.watch("uid-reachable", id("r"), target(2), Duration.ZERO, false);

        // 20 unreachable targets through 2 slots at 2 s each would be a 20 s round for anyone queued behind them.
        await().atMost(Duration.ofSeconds(8)).until(() -> fetcher.calls(2) >= 10);
        if (knownFailing) {
            // The unreachable ones are still in their first polls (no round yet): the rounds so far are the
            // reachable one's, in its lane. 18 of the others have waited for a slot since they were watched, before
            // the reachable one: the failing lane is late by as long, the answering one is not.
            assertTrue(rounds(PollProgress.LANE_ANSWERING) >= 9, "rounds " + rounds(PollProgress.LANE_ANSWERING));
            PollScheduler.Progress now = progress.snapshot();
            assertTrue(now.maxOverdueFailing().toMillis() >= 500, now.toString());
            assertTrue(now.maxOverdueAnswering().compareTo(now.maxOverdueFailing()) < 0, now.toString());
            assertTrue(now.maxOverrun().toMillis() < 1000, now.toString());
        }
    }

    /**
     * A sidecar that stops answering goes before a crowd already shown unreachable: its verdict is pending, theirs is
     * not. Behind 20 of them in 2 slots at 1 s each, each of its polls would wait for about 10 s.
     */
    @Test
    void aSidecarWhoseVerdictIsPendingGoesBeforeThoseAlreadyShownUnreachable() {
        config = new TestPollConfig(Duration.ofMillis(100), Duration.ofSeconds(1), 2, 2, Duration.ofSeconds(30),
                Duration.ofSeconds(30));
        for (int i = 0; i < 20; i++) {
            fetcher.script(100 + i, attempt -> new CompletableFuture<>());
        }
        // Answers its first poll, then never again.
        fetcher.script(2, attempt -> attempt == 0 ? answer(OK) : new CompletableFuture<>());
        start();
        for (int i = 0; i < 20; i++) {
            scheduler.watch("uid-down-" + i, id("d" + i), target(100 + i), Duration.ZERO, true);
        }
        scheduler.watch("uid-suspect", id("s"), target(2), Duration.ZERO, false);

        await().atMost(BOUND).until(() -> listener.reportsOf("uid-suspect").stream()
                .anyMatch(report -> report.health() == Health.Unknown));
        int downPolls = 0;
        for (int i = 0; i < 20; i++) {
            downPolls += fetcher.calls(100 + i);
        }
        // Its two failed polls each took the next free slot, not one after the 20 queued before it.
        assertTrue(downPolls < 20, downPolls + " polls of the others first");
    }

    private long rounds(String lane) {
        return registry.get("healthcheck.operator.poll.round").tag(PollProgress.LANE, lane).timer().count();
    }

    private long progressErrors() {
        return (long) progress.errorCount();
    }

    private void start() {
        HealthPoller poller = new HealthPoller(config, fetcher, progress);
        scheduler = new PollScheduler(poller, listener);
        scheduler.start();
    }

    private static ResourceID id(String name) {
        return new ResourceID(name, "ns");
    }

    private static PollTarget target(int port) {
        return new PollTarget("ns", "hc", "hc-healthcheck", port);
    }

    private static CompletableFuture<SidecarResponse> answer(String body) {
        return CompletableFuture.completedFuture(new SidecarResponse(body.contains("down") ? 503 : 200, body));
    }

    private static CompletableFuture<SidecarResponse> refused() {
        return CompletableFuture.failedFuture(new java.net.ConnectException("refused"));
    }

    /** Answers per port as the test scripted, counting calls and concurrent polls. */
    static final class ScriptedFetcher implements SidecarFetcher {

        private final Map<Integer, Function<Integer, CompletableFuture<SidecarResponse>>> scripts =
                new ConcurrentHashMap<>();
        private final Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
        private final Map<Integer, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        private final Map<Integer, AtomicInteger> maxInFlight = new ConcurrentHashMap<>();

        void script(int port, Function<Integer, CompletableFuture<SidecarResponse>> script) {
            scripts.put(port, script);
        }

        int calls(int port) {
            return calls.computeIfAbsent(port, p -> new AtomicInteger()).get();
        }

        int maxConcurrent(int port) {
            return maxInFlight.computeIfAbsent(port, p -> new AtomicInteger()).get();
        }

        @Override
        public CompletableFuture<SidecarResponse> fetch(PollTarget target, Duration timeout) {
            int attempt = calls.computeIfAbsent(target.port(), p -> new AtomicInteger()).getAndIncrement();
            AtomicInteger current = inFlight.computeIfAbsent(target.port(), p -> new AtomicInteger());
            int now = current.incrementAndGet();
            maxInFlight.computeIfAbsent(target.port(), p -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            CompletableFuture<SidecarResponse> response;
            try {
                response = scripts.get(target.port()).apply(attempt);
            } catch (RuntimeException | Error e) {
                current.decrementAndGet();
                throw e;
            }
            return response.whenComplete((r, e) -> current.decrementAndGet());
        }

        @Override
        public String describe(PollTarget target) {
            return "http://127.0.0.1:" + target.port() + "/health";
        }
    }

    /** Records what the scheduler published; can be told to fail or to hang, as a buggy listener would. */
    static final class RecordingListener implements PollScheduler.Listener {

        private final Map<String, List<HealthReport>> reports = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> undecided = new ConcurrentHashMap<>();
        private final AtomicInteger failuresLeft = new AtomicInteger();
        private final LinkedBlockingQueue<CountDownLatch> blockers = new LinkedBlockingQueue<>();

        List<HealthReport> reportsOf(String uid) {
            return List.copyOf(reports.getOrDefault(uid, List.of()));
        }

        int undecidedFirstPolls(String uid) {
            return undecided.getOrDefault(uid, new AtomicInteger()).get();
        }

        void failFirst(int count) {
            failuresLeft.set(count);
        }

        void blockOn(CountDownLatch latch) {
            blockers.add(latch);
        }

        @Override
        public void polled(PollScheduler.Target target, HealthReport report) {
            reports.computeIfAbsent(target.uid, uid -> new CopyOnWriteArrayList<>()).add(report);
            CountDownLatch blocker = blockers.poll();
            if (blocker != null) {
                try {
                    blocker.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("a listener bug");
            }
        }

        @Override
        public boolean wanted(PollScheduler.Target target) {
            return true;
        }

        @Override
        public void firstPollUndecided(PollScheduler.Target target) {
            undecided.computeIfAbsent(target.uid, uid -> new AtomicInteger()).incrementAndGet();
        }
    }

    @Test
    void nothingWatchedIsUpAndIdle() {
        start();
        PollScheduler.Progress idle = progress.snapshot();
        assertEquals(0, idle.targets());
        assertFalse(idle.stuck());
    }
}
