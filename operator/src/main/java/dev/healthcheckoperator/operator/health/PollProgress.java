package dev.healthcheckoperator.operator.health;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * How the health poller is doing, for metrics and the operator's own health checks: a poller that stopped making
 * progress must show, not fail silently. Without series per HealthCheck, so the metrics stay a fixed handful.
 */
@ApplicationScoped
public class PollProgress {

    /** Histogram buckets (a fixed dozen, whatever the fleet size) for latency quantiles on the dashboards. */
    private static final Duration[] POLL_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10)};
    private static final Duration[] ROUND_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(20),
        Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)};

    /** The tag of the per-lane meters, and its values. */
    static final String LANE = "lane";
    static final String LANE_ANSWERING = "answering";
    static final String LANE_FAILING = "failing";

    private final Counter answered;
    private final Counter failed;
    private final Counter errors;
    private final Counter triggered;
    private final Timer duration;
    private final Timer roundAnswering;
    private final Timer roundFailing;
    private volatile PollScheduler scheduler;

    public PollProgress(MeterRegistry registry) {
        answered = Counter.builder("healthcheck.operator.polls").tag("outcome", "answered")
                .description("Completed polls of sidecars, by whether the sidecar gave a health report")
                .register(registry);
        failed = Counter.builder("healthcheck.operator.polls").tag("outcome", "failed")
                .description("Completed polls of sidecars, by whether the sidecar gave a health report")
                .register(registry);
        errors = Counter.builder("healthcheck.operator.poll.errors")
                .description("Unexpected errors in the poller, each logged; polling goes on").register(registry);
        triggered = Counter.builder("healthcheck.operator.poll.reconciliations")
                .description("Reconciliations requested because a poll found health the status does not show")
                .register(registry);
        duration = Timer.builder("healthcheck.operator.poll.duration")
                .description("Duration of one poll of a sidecar, up to its deadline")
                .serviceLevelObjectives(POLL_BUCKETS).register(registry);
        roundAnswering = round(registry, LANE_ANSWERING);
        roundFailing = round(registry, LANE_FAILING);
        gauge(registry, "healthcheck.operator.poll.targets", "HealthChecks whose sidecars are polled",
                progress -> progress.targets());
        gauge(registry, "healthcheck.operator.poll.in.flight", "Polls in flight", progress -> progress.inFlight());
        // Only the replica that reconciles runs the poller: this says which one does, so "no replica leads" can
        // alert (sum == 0) while every replica still answers its scrapes.
        Gauge.builder("healthcheck.operator.leader", this, self -> self.scheduler == null ? 0 : 1)
                .description("1 on the replica that reconciles and polls (the leader), 0 on a standby")
                .register(registry);
        overdue(registry, LANE_ANSWERING, PollScheduler.Progress::maxOverdueAnswering);
        overdue(registry, LANE_FAILING, PollScheduler.Progress::maxOverdueFailing);
        Gauge.builder("healthcheck.operator.poll.overrun.max", this,
                self -> self.snapshot().maxOverrun().toMillis() / 1000.0).baseUnit("seconds")
                .description("How far past its deadline the longest poll in flight is, in any lane (0 while every "
                        + "poll ends by its deadline)")
                .register(registry);
        Gauge.builder("healthcheck.operator.poll.last.completed.timestamp", this,
                self -> self.snapshot().lastCompletedEpochMillis() / 1000.0).baseUnit("seconds")
                .description("When the last poll of any sidecar completed (Unix time; 0 before the first)")
                .register(registry);
    }

    /**
     * Per lane: sidecars whose last poll answered (or that are new) and sidecars whose last poll failed. The
     * unreachable ones wait out their deadlines in slots of their own and queue when many are unreachable at once;
     * the reachable ones must keep their period whatever the others do (README, "Alerts").
     */
    private static Timer round(MeterRegistry registry, String lane) {
        return Timer.builder("healthcheck.operator.poll.round").tag(LANE, lane)
                .description("Time from one poll of a sidecar to its next: the interval (with backoff for failing "
                        + "sidecars) plus any wait for a slot")
                .serviceLevelObjectives(ROUND_BUCKETS).register(registry);
    }

    private void overdue(MeterRegistry registry, String lane,
            Function<PollScheduler.Progress, Duration> value) {
        Gauge.builder("healthcheck.operator.poll.overdue.max", this,
                self -> value.apply(self.snapshot()).toMillis() / 1000.0).tag(LANE, lane).baseUnit("seconds")
                .description("How late the most overdue poll is (0 while every poll starts on time), by lane")
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description,
            ToDoubleFunction<PollScheduler.Progress> value) {
        Gauge.builder(name, this, self -> value.applyAsDouble(self.snapshot())).description(description)
                .register(registry);
    }

    void attach(PollScheduler scheduler) {
        this.scheduler = scheduler;
    }

    void detach(PollScheduler scheduler) {
        if (this.scheduler == scheduler) {
            this.scheduler = null;
        }
    }

    /** Nothing polled (e.g. before start, or on a standby replica) counts as fine and idle. */
    public PollScheduler.Progress snapshot() {
        PollScheduler current = scheduler;
        return current == null ? new PollScheduler.Progress(0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0, false) : current.progress();
    }

    void completed(PollResult result, Duration took) {
        (result.answered() ? answered : failed).increment();
        duration.record(took);
    }

    void round(Duration sinceLastStart, boolean answering) {
        (answering ? roundAnswering : roundFailing).record(sinceLastStart);
    }

    void error() {
        errors.increment();
    }

    double errorCount() {
        return errors.count();
    }

    void triggered() {
        triggered.increment();
    }
}
