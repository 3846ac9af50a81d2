package dev.healthcheckoperator.operator.health;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Polls the sidecars of the HealthChecks the reconciler found ready, and triggers a reconciliation of a HealthCheck
 * only when its {@link HealthReport} changed. The reconciler reads the latest report as a secondary resource.
 * <p>
 * Only the reconciler registers targets, and it runs on the leader only, so a standby replica polls nothing.
 */
public class HealthPollEventSource extends AbstractEventSource<HealthReport, HealthCheck> {

    private static final Logger LOG = Logger.getLogger(HealthPollEventSource.class);

    private final HealthPoller poller;
    private final IndexerResourceCache<HealthCheck> primaryCache;
    private final Map<ResourceID, PollTarget> targets = new ConcurrentHashMap<>();
    private final Map<ResourceID, HealthReport> reports = new ConcurrentHashMap<>();
    /** How long a round over all targets takes: it must stay below the poll interval (see BENCHMARKS.md). */
    private final Timer roundDuration = Timer.builder("healthcheck.operator.poll.round")
            .description("Duration of one health-poll round over every ready HealthCheck")
            .register(Metrics.globalRegistry);
    private final AtomicInteger polledTargets = Metrics.globalRegistry.gauge("healthcheck.operator.poll.targets",
            new AtomicInteger());
    private ScheduledExecutorService scheduler;
    private ExecutorService workers;

    public HealthPollEventSource(HealthPoller poller, IndexerResourceCache<HealthCheck> primaryCache) {
        super(HealthReport.class, "health-poll");
        this.poller = poller;
        this.primaryCache = primaryCache;
    }

    /** Polls this HealthCheck from now on (or at its new address); the first poll happens right away. */
    public void watch(ResourceID id, PollTarget target) {
        PollTarget previous = targets.put(id, target);
        if (!target.equals(previous)) {
            // A report from the old address says nothing about the new one.
            reports.remove(id);
            if (workers != null) {
                workers.submit(() -> pollOne(id, target));
            }
        }
    }

    /** Stops polling and forgets the last report, e.g. while the sidecars are unavailable. */
    public void forget(ResourceID id) {
        targets.remove(id);
        reports.remove(id);
    }

    @Override
    public Set<HealthReport> getSecondaryResources(HealthCheck primary) {
        HealthReport report = reports.get(ResourceID.fromResource(primary));
        return report == null ? Set.of() : Set.of(report);
    }

    @Override
    public void start() throws OperatorException {
        int concurrency = Math.max(1, poller.config().concurrency());
        workers = Executors.newFixedThreadPool(concurrency, named("healthcheck-poll"));
        scheduler = Executors.newSingleThreadScheduledExecutor(named("healthcheck-poll-scheduler"));
        long intervalMillis = poller.config().interval().toMillis();
        // Fixed delay: a slow round delays the next one instead of piling up behind it.
        scheduler.scheduleWithFixedDelay(this::pollRound, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        super.start();
    }

    @Override
    public void stop() throws OperatorException {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (workers != null) {
            workers.shutdownNow();
        }
        super.stop();
    }

    void pollRound() {
        long start = System.nanoTime();
        try {
            targets.keySet().removeIf(id -> primaryCache.get(id).isEmpty());
            reports.keySet().removeIf(id -> !targets.containsKey(id));
            List<Callable<Void>> tasks = new ArrayList<>();
            targets.forEach((id, target) -> tasks.add(() -> {
                pollOne(id, target);
                return null;
            }));
            polledTargets.set(tasks.size());
            workers.invokeAll(tasks);
            roundDuration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("A poll round failed", e);
        }
    }

    private void pollOne(ResourceID id, PollTarget target) {
        HealthReport report = poller.poll(target);
        // The target may have been forgotten or moved while the request was in flight.
        if (!target.equals(targets.get(id))) {
            return;
        }
        HealthReport previous = reports.put(id, report);
        if (!report.equals(previous)) {
            getEventHandler().handleEvent(new Event(id));
        }
    }

    private static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
