package dev.healthcheckoperator.operator.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import dev.healthcheckoperator.operator.cache.CacheSettings;
import dev.healthcheckoperator.operator.cache.SidecarPodItemStore;
import dev.healthcheckoperator.operator.config.OperatorConfig;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.dependent.DeploymentDependent;
import dev.healthcheckoperator.operator.dependent.NetworkPolicyDependent;
import dev.healthcheckoperator.operator.dependent.ServiceDependent;
import dev.healthcheckoperator.operator.dependent.SidecarNames;
import dev.healthcheckoperator.operator.health.HealthPollEventSource;
import dev.healthcheckoperator.operator.health.HealthPoller;
import dev.healthcheckoperator.operator.health.HealthReport;
import dev.healthcheckoperator.operator.metrics.HealthCheckMetrics;
import dev.healthcheckoperator.operator.statuspage.HealthCheckIndex;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Turns a HealthCheck into its sidecars (a Deployment whose pod template carries the checks file, and a Service,
 * applied server-side and owned by the HealthCheck) and writes back what it sees: rollout, health, per-check results.
 * <p>
 * Every path ends the same way: the next status is computed whole, written once if it differs from the one on the
 * resource, and only then are its transitions announced as Events, so a write that fails (and is retried) announces
 * nothing twice. The workflow is invoked explicitly so that an invalid spec or a name conflict changes nothing but the
 * status. A failure of the API server to accept a dependent ends in {@link #updateErrorStatus}.
 */
// Reconciled at least once an hour even when no event arrives (JOSDK's default is 10 hours): a last line of repair
// should an event have been lost. It is not what keeps the status true: each poll compares its health with the
// status and triggers a reconciliation when they differ, and the owned objects and pods are watched. Every 5 minutes,
// as before, is 33 reconciliations a second at 10,000 HealthChecks that find nothing to do, and by estimate about 6
// of the 10 per HealthCheck counted while 10,000 were being created (BENCHMARKS.md). Overridden at run time by
// quarkus.operator-sdk.controllers.healthcheck.max-reconciliation-interval.
@ControllerConfiguration(name = HealthCheckReconciler.NAME, maxReconciliationInterval = @MaxReconciliationInterval(
        interval = 1, timeUnit = TimeUnit.HOURS), informer = @Informer(
                informerListLimit = CacheSettings.LIST_PAGE_SIZE))
@Workflow(explicitInvocation = true, dependents = {
        @Dependent(name = "deployment", type = DeploymentDependent.class),
        @Dependent(name = "service", type = ServiceDependent.class),
        @Dependent(name = "network-policy", type = NetworkPolicyDependent.class,
                reconcilePrecondition = NetworkPolicyDependent.DiagnosticsExposed.class)
})
public class HealthCheckReconciler implements Reconciler<HealthCheck> {

    public static final String NAME = "healthcheck";
    /** The sidecar pods of every HealthCheck, and nothing else: the pod informer caches only these. */
    static final String SIDECAR_POD_SELECTOR = "app.kubernetes.io/name=healthcheck-sidecar,"
            + "app.kubernetes.io/managed-by=" + SidecarNames.MANAGED_BY;
    private static final Logger LOG = Logger.getLogger(HealthCheckReconciler.class);
    /** The health of a HealthCheck without a verdict yet whose sidecars could not be set up. */
    private static final HealthReport NO_SIDECARS = HealthReport.unknown("NotReady", "no sidecar is running");

    private final HealthPoller poller;
    private final EventRecorder events;
    private final HealthCheckMetrics metrics;
    private final HealthCheckIndex statusPageIndex;
    private final Duration recheckInterval;
    private final long statusCacheWaitMillis;
    private final int maxRolloutsPerMinute;

    public HealthCheckReconciler(HealthPoller poller, EventRecorder events, HealthCheckMetrics metrics,
            HealthCheckIndex statusPageIndex, OperatorConfig config) {
        this.poller = poller;
        this.events = events;
        this.metrics = metrics;
        this.statusPageIndex = statusPageIndex;
        this.recheckInterval = config.recheckInterval();
        this.statusCacheWaitMillis = config.statusCacheWait().toMillis();
        this.maxRolloutsPerMinute = config.rollout().maxPerMinute();
    }

    @Override
    public List<EventSource<?, HealthCheck>> prepareEventSources(EventSourceContext<HealthCheck> context) {
        metrics.observe(context.getPrimaryCache());
        statusPageIndex.observe(context.getPrimaryCache());
        // Pods are owned by ReplicaSets, not by the HealthCheck: they are mapped back by their instance label.
        InformerEventSourceConfiguration.Builder<Pod> pods = InformerEventSourceConfiguration
                .from(Pod.class, HealthCheck.class)
                .withName("sidecar-pods")
                .withLabelSelector(SIDECAR_POD_SELECTOR)
                .withInformerListLimit(CacheSettings.LIST_PAGE_SIZE)
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(pod -> {
                    String instance = pod.getMetadata().getLabels().get(SidecarNames.INSTANCE_LABEL);
                    return instance == null ? Set.of()
                            : Set.of(new ResourceID(instance, pod.getMetadata().getNamespace()));
                });
        if (CacheSettings.oneInformerFillsTheStore(
                context.getControllerConfiguration().getInformerConfig().getNamespaces())) {
            pods.withItemStore(new SidecarPodItemStore());
        }
        return List.of(new HealthPollEventSource(poller, context.getPrimaryCache()),
                new InformerEventSource<>(pods.build(), context));
    }

    @Override
    public UpdateControl<HealthCheck> reconcile(HealthCheck healthCheck, Context<HealthCheck> context) {
        HealthCheckStatus previous = previousStatus(healthCheck);
        String now = now();
        HealthPollEventSource polls = (HealthPollEventSource) context.eventSourceRetriever()
                .getEventSourceFor(HealthReport.class);

        HealthCheckStatus next;
        Optional<Duration> rolloutWait = Optional.empty();
        List<String> problems = SpecValidator.validate(healthCheck);
        Optional<String> conflict = problems.isEmpty() ? OwnedNames.conflict(healthCheck, context) : Optional.empty();
        Optional<ConditionState> missing = problems.isEmpty() && conflict.isEmpty()
                ? MissingReferences.check(healthCheck, context.getClient()) : Optional.empty();
        if (!problems.isEmpty()) {
            polls.forget(healthCheck);
            next = StatusFactory.next(healthCheck, previous, ReadyCondition.invalidSpec(String.join("; ", problems)),
                    previous.getReadyReplicas(),
                    HealthReport.unknown(ReadyCondition.REASON_INVALID_SPEC, "the spec is invalid"), now);
        } else if (conflict.isPresent()) {
            // Not ours to poll either: whatever answers there is not a sidecar of this HealthCheck.
            polls.forget(healthCheck);
            next = StatusFactory.holdingHealth(healthCheck, previous, ReadyCondition.nameConflict(conflict.get()),
                    previous.getReadyReplicas(), NO_SIDECARS, now);
        } else if (missing.isPresent()) {
            // A pod template naming a missing Secret would roll out pods that never start: the sidecars that run
            // keep running on what they have until it exists.
            polls.forget(healthCheck);
            next = StatusFactory.holdingHealth(healthCheck, previous, missing.get(), previous.getReadyReplicas(),
                    NO_SIDECARS, now);
        } else {
            context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
            rolloutWait = context.managedWorkflowAndDependentResourceContext()
                    .get(DeploymentDependent.ROLLOUT_WAIT, Duration.class);
            Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
            ConditionState ready = ReadyCondition.of(deployment, context.getSecondaryResources(Pod.class));
            Integer readyReplicas = ReadyCondition.readyReplicas(deployment);
            if (ConditionState.TRUE.equals(ready.status())) {
                polls.watch(healthCheck);
                // Until the first poll since a start, a handover or a new address completes, what the status
                // says stands: nothing that did not change is written or announced.
                Optional<HealthReport> known = polls.reportFor(healthCheck)
                        .or(() -> HealthReport.shownIn(healthCheck.getStatus()));
                Optional<Duration> firstPoll = known.isEmpty() && !readyShown(previous)
                        ? polls.firstPollPendingFor(healthCheck) : Optional.empty();
                if (firstPoll.isPresent()) {
                    // Newly ready, and its first poll (started at once) ends within its timeout: Ready and the
                    // first health go out in one write. The poll's end triggers the next reconciliation, with a
                    // verdict or without (then Ready is written with Pending); this one comes back at the deadline
                    // should the poll still wait for a slot.
                    return UpdateControl.<HealthCheck> noUpdate().rescheduleAfter(firstPoll.get());
                }
                HealthReport report = known.orElse(HealthReport.unknown(HealthReport.REASON_PENDING,
                        "waiting for the first poll of the sidecars"));
                next = StatusFactory.next(healthCheck, previous, ready, readyReplicas, report, now);
            } else if (ReadyCondition.availableReplicas(deployment) > 0) {
                // Some sidecars answer, old or new: polling goes on so the verdict is fresh when the rollout ends,
                // but it stands as it is until then.
                polls.watch(healthCheck);
                next = StatusFactory.holdingHealth(healthCheck, previous, ready, readyReplicas,
                        HealthReport.unknown(HealthReport.REASON_PENDING, "waiting for the sidecars' rollout to finish"),
                        now);
            } else {
                polls.forget(healthCheck);
                next = StatusFactory.next(healthCheck, previous, ready, readyReplicas,
                        HealthReport.unknown(HealthReport.REASON_NOT_READY, "no sidecar replica is available"), now);
            }
        }
        next = RolloutQueuedCondition.apply(next, previous, rolloutWait, maxRolloutsPerMinute,
                healthCheck.getMetadata().getGeneration(), now);
        commit(healthCheck, previous, next, context);
        // Neither a conflicting object nor a Secret is watched: whether it went away, or came, is looked at again.
        if (conflict.isPresent() || missing.isPresent()) {
            return UpdateControl.<HealthCheck> noUpdate().rescheduleAfter(recheckInterval);
        }
        // A paced rollout comes back at its turn (the first poll's early return above never waits for one: it is
        // taken only by sidecars that were not ready yet, whose Deployment was just applied).
        return rolloutWait.map(wait -> UpdateControl.<HealthCheck> noUpdate().rescheduleAfter(wait))
                .orElseGet(UpdateControl::noUpdate);
    }

    /**
     * A dependent the API server refused (quota, admission, an immutable field, a value the schema let through):
     * Ready=False with the server's own message. Written, and announced, only when it differs from what the status
     * already says, so retries of the same failure cost nothing. JOSDK retries as usual; after its last attempt the
     * HealthCheck is looked at again after the recheck interval, since what fixes such an error is rarely an event
     * the operator watches.
     */
    @Override
    public ErrorStatusUpdateControl<HealthCheck> updateErrorStatus(HealthCheck healthCheck,
            Context<HealthCheck> context, Exception e) {
        metrics.reconcileFailed();
        LOG.debugf(e, "Reconciling %s/%s failed", healthCheck.getMetadata().getNamespace(),
                healthCheck.getMetadata().getName());
        HealthCheckStatus previous = previousStatus(healthCheck);
        // Only Ready says what failed; the rest stays as it was (the sidecars that run may well be fine).
        HealthCheckStatus next = StatusFactory.holdingHealth(healthCheck, previous,
                ReadyCondition.reconcileError(ApiErrors.message(e)), previous.getReadyReplicas(), NO_SIDECARS, now());
        try {
            commit(healthCheck, previous, next, context);
        } catch (KubernetesClientException | OperatorException statusFailure) {
            // The status itself refused (an admission policy, a quota on writes), or the cache never caught up:
            // the next attempt tries again, and nothing was announced.
            LOG.warnf("Could not write the error status of %s/%s: %s", healthCheck.getMetadata().getNamespace(),
                    healthCheck.getMetadata().getName(), statusFailure.getMessage());
        }
        boolean lastAttempt = context.getRetryInfo().map(RetryInfo::isLastAttempt).orElse(true);
        return lastAttempt
                ? ErrorStatusUpdateControl.<HealthCheck> noStatusUpdate().withNoRetry().rescheduleAfter(recheckInterval)
                : ErrorStatusUpdateControl.noStatusUpdate();
    }

    /** Writes the status if it changed, then (and only then) records the Events of its transitions. */
    private void commit(HealthCheck healthCheck, HealthCheckStatus previous, HealthCheckStatus next,
            Context<HealthCheck> context) {
        if (next.equals(previous)) {
            return;
        }
        // Patched here rather than through UpdateControl, so the next reconciliation sees this status even before
        // the informer does: it compares with it, and must not announce the same transition twice.
        HealthCheck statusPatch = new HealthCheck();
        statusPatch.setMetadata(new ObjectMetaBuilder().withName(healthCheck.getMetadata().getName())
                .withNamespace(healthCheck.getMetadata().getNamespace()).build());
        statusPatch.setSpec(null);
        statusPatch.setStatus(next);
        // What ssaPatchStatusAndCacheResource does, with our bound on the wait for the cache instead of its fixed one.
        PrimaryUpdateAndCacheUtils.updateAndCacheResource(healthCheck, context, current -> statusPatch,
                patch -> context.getClient().resource(patch).subresource("status")
                        .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withForce(true)
                                .withFieldManager(context.getControllerConfiguration().fieldManager()).build()),
                PrimaryUpdateAndCacheUtils.DEFAULT_MAX_RETRY, statusCacheWaitMillis,
                PrimaryUpdateAndCacheUtils.DEFAULT_RESOURCE_CACHE_POLL_PERIOD_MILLIS);
        LOG.debugf("Status of %s/%s changed: health %s", healthCheck.getMetadata().getNamespace(),
                healthCheck.getMetadata().getName(), next.getHealth());
        for (Transition transition : Transition.between(previous, next)) {
            events.record(healthCheck, transition);
        }
    }

    private static boolean readyShown(HealthCheckStatus status) {
        return status.condition(ReadyCondition.TYPE).map(c -> ConditionState.TRUE.equals(c.getStatus()))
                .orElse(false);
    }

    private static HealthCheckStatus previousStatus(HealthCheck healthCheck) {
        return healthCheck.getStatus() == null ? new HealthCheckStatus() : healthCheck.getStatus();
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
