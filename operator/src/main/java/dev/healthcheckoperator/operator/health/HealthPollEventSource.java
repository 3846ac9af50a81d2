package dev.healthcheckoperator.operator.health;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;

/**
 * Polls the sidecars of the HealthChecks the reconciler found ready, and triggers a reconciliation of a HealthCheck
 * whenever a poll finds a health its status does not show. The comparison is with the status, not with the previous
 * poll: a reconciliation that failed through all its retries is tried again on the next poll, so no change is lost.
 * <p>
 * Until the first poll of a HealthCheck completes (after a start of the operator, a leader handover, or a new
 * address) there is no report, and the reconciler leaves the health on the status as it is: a restart changes
 * nothing that did not change.
 * <p>
 * Only the reconciler registers targets, and it runs on the leader only, so a standby replica polls nothing.
 * <p>
 * Why not JOSDK's PerResourcePollingEventSource (5.2), which this resembles: a fetch that throws is never scheduled
 * again (polling of that resource ends silently); a getSecondaryResources before the first poll fetches on the
 * reconciler's thread, so unreachable sidecars would block reconciliations for their timeouts; it registers
 * resources from informer events, which arrive on standby replicas too (every replica would poll every sidecar);
 * its polls run on the scheduler's own threads, so sidecars that hang until the timeout take those threads from the
 * reachable ones; and its cache is keyed by name, so a poll in flight when a HealthCheck is deleted and created
 * again lands on the new one.
 */
public class HealthPollEventSource extends AbstractEventSource<HealthReport, HealthCheck>
        implements ResourceEventAware<HealthCheck>, PollScheduler.Listener {

    private final IndexerResourceCache<HealthCheck> primaryCache;
    private final PollScheduler scheduler;
    private final PollProgress progress;
    private final Duration interval;

    public HealthPollEventSource(HealthPoller poller, IndexerResourceCache<HealthCheck> primaryCache) {
        super(HealthReport.class, "health-poll");
        this.primaryCache = primaryCache;
        this.scheduler = new PollScheduler(poller, this);
        this.progress = poller.progress();
        this.interval = poller.config().interval();
    }

    /** Polls this HealthCheck from now on (or at its new address). */
    public void watch(HealthCheck healthCheck) {
        Optional<HealthReport> shown = HealthReport.shownIn(healthCheck.getStatus());
        // A HealthCheck that already shows a health (after a restart or a handover) keeps it until its first poll,
        // which may wait a little: spreading the first polls spares the sidecars and the API server a burst. A new
        // one shows nothing yet and is polled at once.
        Duration firstDelay = shown.isPresent()
                ? Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, interval.toMillis())))
                : Duration.ZERO;
        boolean knownFailing = shown.map(r -> HealthReport.REASON_UNREACHABLE.equals(r.reason())).orElse(false);
        scheduler.watch(healthCheck.getMetadata().getUid(), ResourceID.fromResource(healthCheck),
                PollTarget.of(healthCheck), firstDelay, knownFailing);
    }

    /** Stops polling and forgets the last report, e.g. while the sidecars are unavailable. */
    public void forget(HealthCheck healthCheck) {
        scheduler.forget(healthCheck.getMetadata().getUid());
    }

    /** What the polls decided, or empty while no poll since the start or the last address change has. */
    public Optional<HealthReport> reportFor(HealthCheck healthCheck) {
        return scheduler.published(healthCheck.getMetadata().getUid());
    }

    /**
     * While the first poll of a HealthCheck that shows no health yet is under way: at most how long it may still
     * take (the poll timeout bounds it). Its answer triggers a reconciliation, so Ready and the first health can be
     * written together.
     */
    public Optional<Duration> firstPollPendingFor(HealthCheck healthCheck) {
        return scheduler.firstPollPendingFor(healthCheck.getMetadata().getUid());
    }

    @Override
    public Set<HealthReport> getSecondaryResources(HealthCheck primary) {
        return reportFor(primary).map(Set::of).orElse(Set.of());
    }

    @Override
    public void onResourceDeleted(HealthCheck resource) {
        forget(resource);
    }

    @Override
    public void polled(PollScheduler.Target target, HealthReport report) {
        Optional<HealthCheck> primary = liveHealthCheck(target);
        if (primary.isPresent() && !report.isShownIn(primary.get().getStatus())) {
            progress.triggered();
            getEventHandler().handleEvent(new Event(target.id));
        }
    }

    /** The reconciler waits for the first poll to write Ready with it: now it knows it will wait no more. */
    @Override
    public void firstPollUndecided(PollScheduler.Target target) {
        if (liveHealthCheck(target).isPresent()) {
            getEventHandler().handleEvent(new Event(target.id));
        }
    }

    @Override
    public boolean wanted(PollScheduler.Target target) {
        return liveHealthCheck(target).isPresent();
    }

    /** The HealthCheck of a target, unless it was deleted, or deleted and created again (another UID). */
    private Optional<HealthCheck> liveHealthCheck(PollScheduler.Target target) {
        return primaryCache.get(target.id).filter(hc -> target.uid.equals(hc.getMetadata().getUid()));
    }

    @Override
    public void start() throws OperatorException {
        scheduler.start();
        super.start();
    }

    @Override
    public void stop() throws OperatorException {
        scheduler.stop();
        super.stop();
    }
}
