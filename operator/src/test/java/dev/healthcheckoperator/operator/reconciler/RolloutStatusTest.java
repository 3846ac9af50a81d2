package dev.healthcheckoperator.operator.reconciler;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.await;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.condition;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.deployment;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.events;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.freePort;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.get;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.markDeploymentAvailable;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.occurrences;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.dependent.SidecarNames;
import dev.healthcheckoperator.operator.metrics.HealthCheckMetrics;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.KubeApiServerResource;
import dev.healthcheckoperator.operator.testsupport.StubSidecar;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Ready as `kubectl rollout status` means it, errors and conflicts in the status, Events bounded, drift undone: on
 * the real API server. No controller-manager runs, so the test writes the Deployment and Pod statuses the
 * controllers and the kubelet would write, through their status subresources.
 */
@QuarkusTest
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = false)
class RolloutStatusTest {

    final KubernetesClient client = ControlPlane.admin();

    @Inject
    MeterRegistry registry;

    String namespace;

    @BeforeEach
    void createNamespace() {
        namespace = ControlPlane.createNamespace(client, "rollout");
    }

    @Test
    void aPartialRolloutIsNotReadyAndHoldsTheHealthUntilItEnds() throws Exception {
        try (StubSidecar sidecar = new StubSidecar()) {
            sidecar.answer("ok", "db:ok");
            HealthCheck hc = client.resource(healthCheck(namespace, "partial", sidecar.port(),
                    tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
            markDeploymentAvailable(client, hc, 1);
            await().until(() -> health(hc) == Health.Healthy);

            // A new pod template (generation 2): the old pod is still available, the new one is not yet.
            HealthCheck changed = get(client, hc);
            changed.getSpec().setChecks(List.of(tcpCheck("db", "postgres.shop.svc", 5433, false)));
            client.resource(changed).update();
            await().until(() -> deployment(client, hc).getMetadata().getGeneration() == 2);
            writeDeploymentStatus(hc, d -> new DeploymentStatusBuilder().withObservedGeneration(2L).withReplicas(2)
                    .withUpdatedReplicas(1).withReadyReplicas(1).withAvailableReplicas(1)
                    .withUnavailableReplicas(1).build());

            await().until(() -> ReadyCondition.REASON_PROGRESSING.equals(readyReason(hc)));
            assertEquals("False", condition(get(client, hc), ReadyCondition.TYPE).getStatus());
            assertEquals("1 old sidecar replicas pending termination",
                    condition(get(client, hc), ReadyCondition.TYPE).getMessage());
            assertEquals(2L, condition(get(client, hc), ReadyCondition.TYPE).getObservedGeneration());

            // What the sidecars say during the rollout does not replace the verdict: it is held, labelled with the
            // generation it was observed for.
            sidecar.answer("down", "db:failing");
            int polls = sidecar.polls();
            await().until(() -> sidecar.polls() >= polls + 3);
            HealthCheck rolling = get(client, hc);
            assertEquals(Health.Healthy, rolling.getStatus().getHealth());
            assertEquals(1L, condition(rolling, HealthyCondition.TYPE).getObservedGeneration());

            markDeploymentAvailable(client, hc, 1);
            await().until(() -> health(hc) == Health.Unhealthy);
            HealthCheck done = get(client, hc);
            assertEquals("True", condition(done, ReadyCondition.TYPE).getStatus());
            assertEquals(2L, condition(done, HealthyCondition.TYPE).getObservedGeneration());
            await().until(() -> events(client, hc, "SidecarsProgressing").size() == 1);
            assertEquals("Normal", events(client, hc, "SidecarsProgressing").get(0).getType());
        }
    }

    @Test
    void aPassedProgressDeadlineIsARolloutFailure() {
        HealthCheck hc = client.resource(healthCheck(namespace, "deadline", freePort(),
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
        await().until(() -> deployment(client, hc) != null);
        writeUnavailable(hc, progressing("False", "ProgressDeadlineExceeded",
                "ReplicaSet \"deadline-healthcheck-5d8f\" has timed out progressing."));

        await().until(() -> ReadyCondition.REASON_ROLLOUT_FAILED.equals(readyReason(hc)));
        assertTrue(condition(get(client, hc), ReadyCondition.TYPE).getMessage().contains("has timed out progressing"));
        await().until(() -> events(client, hc, ReadyCondition.REASON_ROLLOUT_FAILED).size() == 1);
        assertEquals("Warning", events(client, hc, ReadyCondition.REASON_ROLLOUT_FAILED).get(0).getType());
    }

    @Test
    void sidecarPodsThatCannotPullOrKeepCrashingSayWhy() {
        HealthCheck hc = client.resource(healthCheck(namespace, "pods", freePort(),
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
        await().until(() -> deployment(client, hc) != null);
        writeUnavailable(hc);
        await().until(() -> ReadyCondition.REASON_PROGRESSING.equals(readyReason(hc)));

        Pod pod = client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata()
                .withName("pods-healthcheck-abc").withLabels(SidecarNames.labels(hc)).endMetadata()
                .withNewSpec().withAutomountServiceAccountToken(false)
                .withContainers(new ContainerBuilder().withName("sidecar").withImage("registry.invalid/nope:1")
                        .build())
                .endSpec().build()).create();
        writePodWaiting(pod, "ErrImagePull", "failed to resolve reference \"registry.invalid/nope:1\"", 0);
        await().until(() -> ReadyCondition.REASON_IMAGE_PULL_FAILED.equals(readyReason(hc)));
        assertEquals("pod pods-healthcheck-abc, container sidecar: ErrImagePull for image registry.invalid/nope:1: "
                + "failed to resolve reference \"registry.invalid/nope:1\"",
                condition(get(client, hc), ReadyCondition.TYPE).getMessage());

        writePodWaiting(pod, "CrashLoopBackOff", "back-off 40s restarting failed container", 3);
        await().until(() -> ReadyCondition.REASON_CRASH_LOOPING.equals(readyReason(hc)));
        assertTrue(condition(get(client, hc), ReadyCondition.TYPE).getMessage().contains("restarted 3 times"));
        await().until(() -> events(client, hc, ReadyCondition.REASON_IMAGE_PULL_FAILED).size() == 1
                && events(client, hc, ReadyCondition.REASON_CRASH_LOOPING).size() == 1);
    }

    @Test
    void aDependentTheApiServerRefusesIsAReconcileErrorOnceWithOneWarning() {
        // A quota of no Deployments at all; its status is what the quota controller would write.
        client.resourceQuotas().inNamespace(namespace).resource(new ResourceQuotaBuilder().withNewMetadata()
                .withName("no-deployments").endMetadata().withNewSpec()
                .addToHard("count/deployments.apps", new Quantity("0")).endSpec().build()).create();
        client.resourceQuotas().inNamespace(namespace).withName("no-deployments").editStatus(q -> {
            q.setStatus(new ResourceQuotaStatusBuilder().addToHard("count/deployments.apps", new Quantity("0"))
                    .addToUsed("count/deployments.apps", new Quantity("0")).build());
            return q;
        });
        double failedBefore = failedReconciliations();
        double errorsBefore = reconcileErrors();

        HealthCheck hc = client.resource(healthCheck(namespace, "quota", freePort(),
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();

        await().until(() -> ReadyCondition.REASON_RECONCILE_ERROR.equals(readyReason(hc)));
        HealthCheck refused = get(client, hc);
        String message = condition(refused, ReadyCondition.TYPE).getMessage();
        assertTrue(message.contains("exceeded quota: no-deployments"), message);
        assertEquals("False", condition(refused, ReadyCondition.TYPE).getStatus());
        assertNull(deployment(client, hc));

        // JOSDK retries; each retry fails the same way and must neither write the status nor announce it again.
        String resourceVersion = refused.getMetadata().getResourceVersion();
        await().until(() -> failedReconciliations() >= failedBefore + 3);
        // Our own counter (there before the first failure, for dashboards and alerts) counts each failure once.
        await().until(() -> reconcileErrors() - errorsBefore == failedReconciliations() - failedBefore);
        assertEquals(resourceVersion, get(client, hc).getMetadata().getResourceVersion());
        List<Event> warnings = events(client, hc, ReadyCondition.REASON_RECONCILE_ERROR);
        assertEquals(1, warnings.size());
        assertEquals("Warning", warnings.get(0).getType());
        assertEquals("Reconcile", warnings.get(0).getAction());
        assertEquals(EventRecorder.REPORTING_CONTROLLER, warnings.get(0).getReportingController());
        assertTrue(warnings.get(0).getNote().contains("exceeded quota"), warnings.get(0).getNote());

        // Once the quota allows it, the next reconciliation (here: one the test causes) creates the Deployment.
        client.resourceQuotas().inNamespace(namespace).withName("no-deployments").delete();
        client.services().inNamespace(namespace).withName(SidecarNames.resourceName(hc))
                .edit(service -> {
                    service.getMetadata().getLabels().put("poke", "1");
                    return service;
                });
        await().until(() -> deployment(client, hc) != null);
        await().until(() -> ReadyCondition.REASON_PROGRESSING.equals(readyReason(hc)));
    }

    @Test
    void noEventIsWrittenForAStatusTheApiServerRefusedAndNoneTwiceAfterIt() {
        // An admission policy that refuses every status write of HealthChecks in this namespace, for a while.
        String policy = namespace + "-status-paused";
        client.resource(Serialization.unmarshal("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicy
                metadata: {name: %s}
                spec:
                  failurePolicy: Fail
                  matchConstraints:
                    resourceRules:
                    - apiGroups: [healthcheck-operator.dev]
                      apiVersions: ["*"]
                      operations: [UPDATE]
                      resources: [healthchecks/status]
                  validations:
                  - expression: "false"
                    message: status writes are paused
                """.formatted(policy), ValidatingAdmissionPolicy.class)).create();
        var binding = client.resource(Serialization.unmarshal("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicyBinding
                metadata: {name: %s}
                spec:
                  policyName: %s
                  validationActions: [Deny]
                  matchResources:
                    namespaceSelector:
                      matchLabels: {kubernetes.io/metadata.name: %s}
                """.formatted(policy, policy, namespace), ValidatingAdmissionPolicyBinding.class)).create();
        HealthCheck probe = client.resource(healthCheck(namespace, "probe", freePort())).create();
        // Policies take effect asynchronously: wait until this one refuses a write.
        await().until(() -> {
            try {
                HealthCheck current = get(client, probe);
                current.setStatus(new HealthCheckStatus());
                client.resource(current).updateStatus();
                return false;
            } catch (KubernetesClientException refused) {
                return refused.getMessage().contains("status writes are paused");
            }
        });
        double failedBefore = failedReconciliations();

        HealthCheck hc = client.resource(healthCheck(namespace, "paused", freePort(),
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
        markDeploymentAvailable(client, hc, 1);
        // A reconciliation computes Ready=True and fails to write it; its Event must not be written either. (A
        // refused status write waits healthcheck.status-cache-wait for a newer object, 1 s in tests, then fails.)
        await().atMost(Duration.ofSeconds(90)).until(() -> failedReconciliations() >= failedBefore + 1);
        assertNull(get(client, hc).getStatus());
        assertEquals(List.of(), events(client, hc));

        client.resource(binding).delete();
        await().until(() -> "True".equals(condition(get(client, hc), ReadyCondition.TYPE) == null ? null
                : condition(get(client, hc), ReadyCondition.TYPE).getStatus()));
        await().until(() -> events(client, hc, ReadyCondition.REASON_AVAILABLE).size() == 1);
        // The attempt that was refused last may still record its ReconcileError once the policy is gone (it was
        // true when it happened); nothing is announced twice.
        List<String> reasons = events(client, hc).stream().flatMap(e -> events(client, hc, e.getReason()).stream())
                .map(Event::getReason).toList();
        assertEquals(Set.copyOf(reasons).size(), events(client, hc).stream().mapToInt(e -> occurrences(e)).sum(),
                reasons.toString());
        assertTrue(Set.of(ReadyCondition.REASON_AVAILABLE, ReadyCondition.REASON_RECONCILE_ERROR)
                .containsAll(reasons), reasons.toString());
        client.admissionRegistration().v1().validatingAdmissionPolicies().withName(policy).delete();
    }

    @Test
    void anObjectOfTheSameNameThatIsNotOursIsNotTakenOver() {
        Service theirs = client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata()
                .withName("taken-healthcheck").withLabels(Map.of("team", "other")).endMetadata().withNewSpec()
                .addNewPort().withPort(80).endPort().endSpec().build()).create();

        HealthCheck hc = client.resource(healthCheck(namespace, "taken", freePort(),
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();

        await().until(() -> ReadyCondition.REASON_NAME_CONFLICT.equals(readyReason(hc)));
        String message = condition(get(client, hc), ReadyCondition.TYPE).getMessage();
        assertTrue(message.startsWith("Service " + namespace + "/taken-healthcheck already exists and is not owned"),
                message);
        Service after = client.services().inNamespace(namespace).withName("taken-healthcheck").get();
        assertEquals(theirs.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion());
        assertEquals(List.of(), client.apps().deployments().inNamespace(namespace).list().getItems());
        assertEquals(List.of(), client.configMaps().inNamespace(namespace).withLabel(
                "app.kubernetes.io/managed-by").list().getItems());
        await().until(() -> events(client, hc, ReadyCondition.REASON_NAME_CONFLICT).size() == 1);

        // Freed, the name is taken by the HealthCheck's own Service.
        client.resource(after).delete();
        await().until(() -> deployment(client, hc) != null);
        await().until(() -> {
            Service ours = client.services().inNamespace(namespace).withName("taken-healthcheck").get();
            return ours != null && ours.getMetadata().getOwnerReferences().size() == 1;
        });
    }

    @Test
    void aFlappingHealthCheckWritesNoMoreEventsThanItsBurst() {
        HealthCheck hc = client.resource(healthCheck(namespace, "flap", freePort(),
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
        // 12 transitions, alternating: each one reconciled (the test waits for it) and announced, within the limit.
        for (int i = 0; i < 6; i++) {
            markDeploymentAvailable(client, hc, 1);
            await().until(() -> "True".equals(condition(get(client, hc), ReadyCondition.TYPE).getStatus()));
            writeUnavailable(hc, progressing("True", "NewReplicaSetAvailable", "rolled out"));
            await().until(() -> ReadyCondition.REASON_UNAVAILABLE.equals(readyReason(hc)));
        }

        // The test profile's burst is 8 with no refill: 8 occurrences are written, as two Events with series.
        await().until(() -> events(client, hc).stream().mapToInt(e -> occurrences(e)).sum() >= 8);
        List<Event> written = events(client, hc);
        assertEquals(8, written.stream().mapToInt(e -> occurrences(e)).sum(), written.toString());
        assertEquals(Set.of("SidecarsAvailable", "SidecarsUnavailable"),
                written.stream().map(Event::getReason).collect(Collectors.toSet()));
        assertEquals(2, written.size(), "repeats go into the series of the first Event of their kind");
        assertTrue(registry.find("healthcheck.operator.events.dropped").counter().count() >= 4);
    }

    @Test
    void editsThatWidenWhatTheSidecarMayDoAreReverted() {
        HealthCheck hc = client.resource(healthCheck(namespace, "widened", freePort(),
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
        await().until(() -> deployment(client, hc) != null);
        Deployment original = deployment(client, hc);

        client.apps().deployments().inNamespace(namespace).withName("widened-healthcheck").edit(d -> {
            var pod = d.getSpec().getTemplate().getSpec();
            pod.setHostNetwork(true);
            pod.getContainers().add(new ContainerBuilder().withName("miner").withImage("evil/miner:1").build());
            pod.getVolumes().add(new VolumeBuilder().withName("host").withNewHostPath().withPath("/")
                    .endHostPath().build());
            pod.getSecurityContext().setRunAsNonRoot(false);
            pod.getSecurityContext().setSupplementalGroups(List.of(0L));
            pod.getContainers().get(0).getVolumeMounts().add(new VolumeMountBuilder().withName("host")
                    .withMountPath("/host").build());
            var container = pod.getContainers().get(0).getSecurityContext();
            container.setPrivileged(true);
            container.setAllowPrivilegeEscalation(true);
            container.setCapabilities(new Capabilities(List.of("NET_ADMIN", "SYS_ADMIN"), List.of("ALL")));
            return d;
        });

        await().until(() -> {
            var pod = deployment(client, hc).getSpec().getTemplate().getSpec();
            return pod.getContainers().size() == 1 && !Boolean.TRUE.equals(pod.getHostNetwork())
                    && pod.getVolumes().stream().noneMatch(v -> "host".equals(v.getName()))
                    && pod.getContainers().get(0).getVolumeMounts().stream()
                            .noneMatch(m -> "/host".equals(m.getMountPath()))
                    && pod.getSecurityContext().equals(original.getSpec().getTemplate().getSpec()
                            .getSecurityContext())
                    && pod.getContainers().get(0).getSecurityContext().equals(original.getSpec().getTemplate()
                            .getSpec().getContainers().get(0).getSecurityContext());
        });
        assertEquals("sidecar", deployment(client, hc).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getName());
    }

    /** One replica of the current template, not available, with these Deployment conditions. */
    private void writeUnavailable(HealthCheck hc, DeploymentCondition... conditions) {
        writeDeploymentStatus(hc, d -> new DeploymentStatusBuilder()
                .withObservedGeneration(d.getMetadata().getGeneration()).withReplicas(1).withUpdatedReplicas(1)
                .withUnavailableReplicas(1).withConditions(conditions).build());
    }

    private static DeploymentCondition progressing(String status, String reason, String message) {
        return new DeploymentConditionBuilder().withType("Progressing").withStatus(status).withReason(reason)
                .withMessage(message).withLastUpdateTime("2026-01-01T00:00:00Z")
                .withLastTransitionTime("2026-01-01T00:00:00Z").build();
    }

    /** Writes the status the Deployment controller would, computed from the Deployment as it is now. */
    private void writeDeploymentStatus(HealthCheck hc, Function<Deployment, DeploymentStatus> status) {
        client.apps().deployments().inNamespace(namespace).withName(SidecarNames.resourceName(hc)).editStatus(d -> {
            d.setStatus(status.apply(d));
            return d;
        });
    }

    private void writePodWaiting(Pod pod, String reason, String message, int restarts) {
        client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).editStatus(p -> {
            p.getStatus().setPhase("Pending");
            p.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("sidecar")
                    .withImage("registry.invalid/nope:1").withImageID("").withReady(false).withRestartCount(restarts)
                    .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState()
                    .build()));
            return p;
        });
    }

    private String readyReason(HealthCheck hc) {
        var ready = condition(get(client, hc), ReadyCondition.TYPE);
        return ready == null ? null : ready.getReason();
    }

    private Health health(HealthCheck hc) {
        HealthCheck current = get(client, hc);
        return current.getStatus() == null ? null : current.getStatus().getHealth();
    }

    private double reconcileErrors() {
        return registry.get(HealthCheckMetrics.RECONCILE_ERRORS).counter().count();
    }

    private double failedReconciliations() {
        return registry.find("operator.sdk.reconciliations.failed").counters().stream().mapToDouble(Counter::count)
                .sum();
    }
}
