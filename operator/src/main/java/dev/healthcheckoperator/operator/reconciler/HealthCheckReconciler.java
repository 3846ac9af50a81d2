package dev.healthcheckoperator.operator.reconciler;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.dependent.ConfigMapDependent;
import dev.healthcheckoperator.operator.dependent.DeploymentDependent;
import dev.healthcheckoperator.operator.dependent.ServiceAccountDependent;
import dev.healthcheckoperator.operator.dependent.ServiceDependent;
import dev.healthcheckoperator.operator.health.HealthPollEventSource;
import dev.healthcheckoperator.operator.health.HealthPoller;
import dev.healthcheckoperator.operator.health.HealthReport;
import dev.healthcheckoperator.operator.metrics.HealthCheckMetrics;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;

/**
 * Turns a HealthCheck into its sidecars (ServiceAccount, ConfigMap, Deployment, Service, applied server-side and
 * owned by the HealthCheck) and writes back what it sees: availability, health, per-check results.
 * <p>
 * The workflow is invoked explicitly so that an invalid spec changes nothing but the status.
 */
// Reconciled at least every few minutes even when no event arrives (JOSDK's default is 10 hours): a last line of
// repair should an event have been lost; polls that find a health the status does not show trigger one at once.
@ControllerConfiguration(name = HealthCheckReconciler.NAME, maxReconciliationInterval = @MaxReconciliationInterval(
        interval = 5, timeUnit = TimeUnit.MINUTES))
@Workflow(explicitInvocation = true, dependents = {
        @Dependent(name = "service-account", type = ServiceAccountDependent.class),
        @Dependent(name = "config", type = ConfigMapDependent.class),
        @Dependent(name = "deployment", type = DeploymentDependent.class, dependsOn = { "service-account", "config" }),
        @Dependent(name = "service", type = ServiceDependent.class)
})
public class HealthCheckReconciler implements Reconciler<HealthCheck> {

    public static final String NAME = "healthcheck";
    private static final Logger LOG = Logger.getLogger(HealthCheckReconciler.class);

    private final HealthPoller poller;
    private final EventRecorder events;
    private final HealthCheckMetrics metrics;

    public HealthCheckReconciler(HealthPoller poller, EventRecorder events, HealthCheckMetrics metrics) {
        this.poller = poller;
        this.events = events;
        this.metrics = metrics;
    }

    @Override
    public List<EventSource<?, HealthCheck>> prepareEventSources(EventSourceContext<HealthCheck> context) {
        metrics.observe(context.getPrimaryCache());
        return List.of(new HealthPollEventSource(poller, context.getPrimaryCache()));
    }

    @Override
    public UpdateControl<HealthCheck> reconcile(HealthCheck healthCheck, Context<HealthCheck> context) {
        HealthCheckStatus previous = healthCheck.getStatus() == null ? new HealthCheckStatus()
                : healthCheck.getStatus();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        HealthPollEventSource polls = (HealthPollEventSource) context.eventSourceRetriever()
                .getEventSourceFor(HealthReport.class);
        ResourceID id = ResourceID.fromResource(healthCheck);

        HealthCheckStatus next;
        List<String> problems = SpecValidator.validate(healthCheck);
        if (!problems.isEmpty()) {
            polls.forget(healthCheck);
            next = StatusFactory.next(healthCheck, previous, ReadyCondition.invalidSpec(String.join("; ", problems)),
                    previous.getReadyReplicas(),
                    HealthReport.unknown(ReadyCondition.REASON_INVALID_SPEC, "the spec is invalid"), now);
        } else {
            context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
            Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
            ConditionState ready = ReadyCondition.of(deployment, healthCheck.getSpec().getReplicas());
            HealthReport report;
            if (ConditionState.TRUE.equals(ready.status())) {
                polls.watch(healthCheck);
                // Until the first poll since a start, a handover or a new address completes, what the status
                // says stands: nothing that did not change is written or announced.
                report = polls.reportFor(healthCheck)
                        .or(() -> HealthReport.shownIn(healthCheck.getStatus()))
                        .orElse(HealthReport.unknown(HealthReport.REASON_PENDING,
                                "waiting for the first poll of the sidecars"));
            } else {
                polls.forget(healthCheck);
                report = HealthReport.unknown(HealthReport.REASON_NOT_READY, "the sidecars are not available yet");
            }
            next = StatusFactory.next(healthCheck, previous, ready, ReadyCondition.readyReplicas(deployment), report,
                    now);
        }

        if (next.equals(previous)) {
            return UpdateControl.noUpdate();
        }
        for (Transition transition : Transition.between(previous, next)) {
            events.record(healthCheck, transition);
        }
        LOG.debugf("Status of %s changed: health %s", id, next.getHealth());
        // Patched here rather than through UpdateControl, so the next reconciliation sees this status even before
        // the informer does: it compares with it, and must not announce the same transition twice.
        HealthCheck statusPatch = new HealthCheck();
        statusPatch.setMetadata(new ObjectMetaBuilder().withName(healthCheck.getMetadata().getName())
                .withNamespace(healthCheck.getMetadata().getNamespace()).build());
        statusPatch.setSpec(null);
        statusPatch.setStatus(next);
        PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(healthCheck, statusPatch, context);
        return UpdateControl.noUpdate();
    }
}
