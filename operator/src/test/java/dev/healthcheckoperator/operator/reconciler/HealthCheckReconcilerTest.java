package dev.healthcheckoperator.operator.reconciler;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.await;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.checksFile;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.condition;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.deployment;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.events;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.freePort;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.get;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.httpCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.markDeploymentAvailable;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.healthcheckoperator.operator.cache.CompactFieldSet;
import dev.healthcheckoperator.operator.crd.v1alpha1.DiagnosticsSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretKeyRef;
import dev.healthcheckoperator.operator.dependent.DeploymentDependent;
import dev.healthcheckoperator.operator.dependent.SidecarNames;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.KubeApiServerResource;
import dev.healthcheckoperator.operator.testsupport.TestHealthChecks;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.EventSourceManager;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The operator, running in-process against a real API server, turning HealthChecks into owned objects. Without a
 * controller-manager there is no garbage collector: deletion is covered by asserting the owner references it acts on.
 */
@QuarkusTest
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = false)
class HealthCheckReconcilerTest {

    @Inject
    Operator operator;

    /** The test acts as cluster admin; the operator runs with its own ServiceAccount's rights. */
    final KubernetesClient client = ControlPlane.admin();

    String namespace;

    @BeforeEach
    void createNamespace() {
        namespace = ControlPlane.createNamespace(client, "reconcile");
    }

    /** The token Secret enabled diagnostics mount: without it the operator reports SecretNotFound, rolls nothing. */
    private void createDiagnosticsToken() {
        client.resource(new SecretBuilder().withNewMetadata().withName("diag-token").withNamespace(namespace)
                .endMetadata().withStringData(Map.of("token", "diagnostics-token")).build()).create();
    }

    @Test
    void createsTheOwnedObjectsWithTheirSecuritySettings() throws Exception {
        HealthCheck hc = healthCheck(namespace, "checkout", 8080, httpCheck("api", "http://checkout.shop.svc:8080/ready"),
                tcpCheck("db", "postgres.shop.svc", 5432, false));
        DiagnosticsSpec diagnostics = new DiagnosticsSpec();
        diagnostics.setEnabled(true);
        diagnostics.setTokenSecretRef(new SecretKeyRef("diag-token", "token"));
        createDiagnosticsToken();
        hc.getSpec().setDiagnostics(diagnostics);
        hc.getSpec().setPodLabels(Map.of("team", "shop"));
        HealthCheck created = client.resource(hc).create();
        String name = "checkout-healthcheck";

        await().until(() -> deployment(client, hc) != null);
        Deployment deployment = deployment(client, hc);
        String checksFile = checksFile(client, hc);
        // No ConfigMap: the checks file is in the pod template.
        assertEquals(List.of(), client.configMaps().inNamespace(namespace)
                .withLabel(SidecarNames.INSTANCE_LABEL, "checkout").list().getItems());
        Service service = client.services().inNamespace(namespace).withName(name).get();
        for (HasMetadata owned : List.of(deployment, service)) {
            assertOwnedBy(created, owned);
            assertEquals("checkout", owned.getMetadata().getLabels().get("app.kubernetes.io/instance"));
            assertEquals("healthcheck-operator", owned.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        }

        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertEquals(1, deployment.getSpec().getReplicas());
        assertEquals(2, deployment.getSpec().getRevisionHistoryLimit());
        // The namespace's default account, with no token: the sidecar never calls the API server.
        assertEquals("default", pod.getServiceAccountName());
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
        assertNull(client.serviceAccounts().inNamespace(namespace).withName(name).get());
        assertEquals(Boolean.FALSE, pod.getEnableServiceLinks());
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        assertEquals("shop", deployment.getSpec().getTemplate().getMetadata().getLabels().get("team"));
        assertNotNull(deployment.getSpec().getTemplate().getMetadata().getAnnotations()
                .get(SidecarNames.CONFIG_HASH_ANNOTATION));
        Container sidecar = pod.getContainers().get(0);
        assertEquals("healthcheck-operator/healthcheck-sidecar:" + System.getProperty("project.version"),
                sidecar.getImage());
        assertFalse(sidecar.getImage().endsWith(":latest"));
        assertEquals(Boolean.FALSE, sidecar.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(Boolean.TRUE, sidecar.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, sidecar.getSecurityContext().getPrivileged());
        assertEquals(List.of("ALL"), sidecar.getSecurityContext().getCapabilities().getDrop());
        assertEquals("RuntimeDefault", sidecar.getSecurityContext().getSeccompProfile().getType());
        assertEquals("/health/live", sidecar.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/health/ready", sidecar.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/health/started", sidecar.getStartupProbe().getHttpGet().getPath());
        assertEquals("8080", env(sidecar, "SIDECAR_PORT"));
        assertEquals("/etc/healthcheck/checks.json", env(sidecar, "SIDECAR_CONFIG_FILE"));
        assertEquals("true", env(sidecar, "SIDECAR_DIAGNOSTICS_ENABLED"));
        assertEquals("9000", env(sidecar, "SIDECAR_DIAGNOSTICS_PORT"));
        assertEquals("/var/run/secrets/healthcheck-operator/diagnostics/token",
                env(sidecar, "SIDECAR_DIAGNOSTICS_TOKEN_FILE"));
        assertTrue(sidecar.getVolumeMounts().stream().anyMatch(m -> "/tmp".equals(m.getMountPath())),
                "a writable /tmp under a read-only root filesystem");
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getSecret() != null
                && "diag-token".equals(v.getSecret().getSecretName())
                && "token".equals(v.getSecret().getItems().get(0).getKey())));
        // The defaults BENCHMARKS.md measures the sidecar against: private memory under load plus a margin, and a
        // limit above the sum of the JVM's caps in sidecar/jvm.options.
        assertEquals(new Quantity("64Mi"), sidecar.getResources().getRequests().get("memory"), "the default memory request");
        assertEquals(new Quantity("160Mi"), sidecar.getResources().getLimits().get("memory"), "the default memory limit");
        // Diagnostics without allowFrom: the sidecar's loopback default, no policy needed.
        assertNull(env(sidecar, "SIDECAR_DIAGNOSTICS_HOST"));
        assertNull(client.network().v1().networkPolicies().inNamespace(namespace).withName(name).get());
        // Heap dumps get their own volume, sized for the heap maximum plus the reserve, and the sidecar knows it.
        assertEquals("/var/run/healthcheck-operator/heap-dumps", env(sidecar, "SIDECAR_DIAGNOSTICS_HEAP_DUMP_DIR"));
        assertEquals(String.valueOf(112L * 1024 * 1024), env(sidecar, "SIDECAR_DIAGNOSTICS_HEAP_DUMP_VOLUME_BYTES"));
        assertTrue(sidecar.getVolumeMounts().stream().anyMatch(m -> "heap-dumps".equals(m.getName())
                && "/var/run/healthcheck-operator/heap-dumps".equals(m.getMountPath())));
        assertTrue(pod.getVolumes().stream().anyMatch(v -> "heap-dumps".equals(v.getName())
                && v.getEmptyDir() != null && Quantity.getAmountInBytes(v.getEmptyDir().getSizeLimit())
                .compareTo(java.math.BigDecimal.valueOf(112L * 1024 * 1024)) == 0));

        JsonNode config = new ObjectMapper().readTree(checksFile);
        assertEquals(10, config.get("periodSeconds").asInt());
        assertEquals("api", config.get("checks").get(0).get("name").asText());
        assertEquals("http://checkout.shop.svc:8080/ready", config.get("checks").get(0).get("httpGet").get("url")
                .asText());
        assertEquals(5432, config.get("checks").get(1).get("tcpSocket").get("port").asInt());

        assertEquals(8080, service.getSpec().getPorts().get(0).getPort());
        assertEquals("health", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        assertEquals(Map.of("app.kubernetes.io/name", "healthcheck-sidecar", "app.kubernetes.io/instance", "checkout"),
                service.getSpec().getSelector());

        await().until(() -> condition(get(client, hc), ReadyCondition.TYPE) != null);
        HealthCheck observed = get(client, hc);
        assertEquals(1L, observed.getStatus().getObservedGeneration());
        assertEquals("False", condition(observed, ReadyCondition.TYPE).getStatus());
        assertEquals(ReadyCondition.REASON_PROGRESSING, condition(observed, ReadyCondition.TYPE).getReason());
        assertEquals("Unknown", condition(observed, HealthyCondition.TYPE).getStatus());
        assertEquals(Health.Unknown, observed.getStatus().getHealth());
        assertEquals("http://checkout-healthcheck." + namespace + ".svc:8080/health",
                observed.getStatus().getEndpoint());
    }

    @Test
    void diagnosticsOpenedToNamedPeersGetANetworkPolicyThatGoesWhenTheyAreClosedAgain() {
        HealthCheck hc = healthCheck(namespace, "exposed", 8080, tcpCheck("db", "postgres.shop.svc", 5432, false));
        DiagnosticsSpec diagnostics = new DiagnosticsSpec();
        diagnostics.setEnabled(true);
        diagnostics.setTokenSecretRef(new SecretKeyRef("diag-token", "token"));
        createDiagnosticsToken();
        NetworkPolicyPeer debugger = new NetworkPolicyPeerBuilder().withNewPodSelector()
                .addToMatchLabels("app", "debugger").endPodSelector().build();
        diagnostics.setAllowFrom(List.of(debugger));
        hc.getSpec().setDiagnostics(diagnostics);
        HealthCheck created = client.resource(hc).create();
        String name = "exposed-healthcheck";

        await().until(() -> client.network().v1().networkPolicies().inNamespace(namespace).withName(name).get() != null);
        NetworkPolicy policy = client.network().v1().networkPolicies().inNamespace(namespace).withName(name).get();
        assertOwnedBy(created, policy);
        assertEquals(Map.of("app.kubernetes.io/name", "healthcheck-sidecar", "app.kubernetes.io/instance", "exposed"),
                policy.getSpec().getPodSelector().getMatchLabels());
        assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
        assertEquals(2, policy.getSpec().getIngress().size());
        NetworkPolicyIngressRule health = policy.getSpec().getIngress().get(0);
        assertTrue(health.getFrom() == null || health.getFrom().isEmpty(), "the health port stays open to all");
        assertEquals("health", health.getPorts().get(0).getPort().getStrVal());
        NetworkPolicyIngressRule diagnosticsRule = policy.getSpec().getIngress().get(1);
        assertEquals(List.of(debugger), diagnosticsRule.getFrom());
        assertEquals("diagnostics", diagnosticsRule.getPorts().get(0).getPort().getStrVal());
        await().until(() -> "0.0.0.0".equals(env(deployment(client, hc).getSpec().getTemplate().getSpec()
                .getContainers().get(0), "SIDECAR_DIAGNOSTICS_HOST")));

        HealthCheck closed = get(client, hc);
        closed.getSpec().getDiagnostics().setAllowFrom(null);
        client.resource(closed).update();
        await().until(() -> client.network().v1().networkPolicies().inNamespace(namespace).withName(name).get() == null);
        await().until(() -> env(deployment(client, hc).getSpec().getTemplate().getSpec().getContainers().get(0),
                "SIDECAR_DIAGNOSTICS_HOST") == null);
    }

    @Test
    void readyFollowsTheDeploymentsAvailability() {
        HealthCheck hc = client.resource(healthCheck(namespace, "ready", freePort(),
                tcpCheck("db", "127.0.0.1", 1, false))).create();
        await().until(() -> condition(get(client, hc), ReadyCondition.TYPE) != null);
        String firstTransition = condition(get(client, hc), ReadyCondition.TYPE).getLastTransitionTime();

        markDeploymentAvailable(client, hc, 1);

        await().until(() -> "True".equals(condition(get(client, hc), ReadyCondition.TYPE).getStatus()));
        HealthCheck ready = get(client, hc);
        assertEquals(ReadyCondition.REASON_AVAILABLE, condition(ready, ReadyCondition.TYPE).getReason());
        assertEquals(1, ready.getStatus().getReadyReplicas());
        assertNotNull(condition(ready, ReadyCondition.TYPE).getLastTransitionTime());
        assertNotNull(firstTransition);
        await().until(() -> events(client, hc, "SidecarsAvailable").size() == 1);
    }

    /**
     * Reconciliations of an unchanged HealthCheck apply nothing: the API server's own count of Deployment applies
     * (all namespaces: the other tests' HealthChecks are unchanged too) stays where it was while this one's
     * availability flips and is reconciled each time.
     */
    @Test
    void reconcilingAnUnchangedHealthCheckAppliesNoDeployment() {
        HealthCheck hc = createReady("unchanged");
        double applied = ControlPlane.deploymentApplies(client);

        for (int flip = 0; flip < 2; flip++) {
            client.apps().deployments().inNamespace(namespace).withName(SidecarNames.resourceName(hc))
                    .editStatus(d -> {
                        d.getStatus().setAvailableReplicas(0);
                        d.getStatus().setReadyReplicas(0);
                        return d;
                    });
            await().until(() -> "False".equals(condition(get(client, hc), ReadyCondition.TYPE).getStatus()));
            markDeploymentAvailable(client, hc, 1);
            await().until(() -> "True".equals(condition(get(client, hc), ReadyCondition.TYPE).getStatus()));
        }
        assertEquals(applied, ControlPlane.deploymentApplies(client));
    }

    /**
     * The operator's cache of sidecar pods holds what it reads of them and nothing else (no spec, no managedFields):
     * the API server holds the whole pod. The pod is created here as a ReplicaSet would (no controller-manager runs
     * with this API server), with the labels of the HealthCheck's sidecars.
     */
    @Test
    void theSidecarPodCacheKeepsOnlyWhatIsRead() {
        HealthCheck hc = client.resource(healthCheck(namespace, "cached", freePort(),
                tcpCheck("db", "127.0.0.1", 1, false))).create();
        Pod pod = client.resource(new PodBuilder().withNewMetadata().withName("cached-healthcheck-0")
                .withNamespace(namespace).withLabels(SidecarNames.labels(hc)).endMetadata()
                .withNewSpec().addNewContainer().withName("sidecar").withImage("registry/sidecar:1").endContainer()
                .endSpec().build()).create();
        assertFalse(pod.getMetadata().getManagedFields().isEmpty());

        EventSourceManager<HealthCheck> sources = eventSources();
        await().untilAsserted(() -> {
            HealthCheck cached = sources.getControllerEventSource().get(ResourceID.fromResource(hc)).orElseThrow();
            Pod cachedPod = sources.getEventSourceFor(Pod.class, "sidecar-pods").getSecondaryResources(cached)
                    .stream().findFirst().orElseThrow();
            assertEquals(pod.getMetadata().getUid(), cachedPod.getMetadata().getUid());
            assertNull(cachedPod.getSpec());
            assertTrue(cachedPod.getMetadata().getManagedFields() == null
                    || cachedPod.getMetadata().getManagedFields().isEmpty());
        });
    }

    /**
     * The operator's caches of the objects it applies keep the managedFields entry of its own apply, as a compact
     * field set equal to the API server's, and none of the other managers' (here the status writer's, as the
     * controller-manager's would be): the API server keeps them all. That the kept entry still serves the SDK's
     * matcher is {@link #reconcilingAnUnchangedHealthCheckAppliesNoDeployment} and {@link #driftIsRepaired}.
     */
    @Test
    void theOwnedObjectCachesKeepOnlyTheOperatorsOwnApplyCompacted() {
        HealthCheck hc = createReady("compact");

        EventSourceManager<HealthCheck> sources = eventSources();
        HealthCheck cached = sources.getControllerEventSource().get(ResourceID.fromResource(hc)).orElseThrow();
        for (HasMetadata served : List.of(deployment(client, hc),
                client.services().inNamespace(namespace).withName(SidecarNames.resourceName(hc)).get())) {
            List<ManagedFieldsEntry> applies = served.getMetadata().getManagedFields().stream()
                    .filter(e -> "Apply".equals(e.getOperation())).toList();
            assertEquals(1, applies.size(), served.getKind() + ": " + served.getMetadata().getManagedFields());
            ManagedFieldsEntry own = applies.get(0);
            await().untilAsserted(() -> {
                HasMetadata inCache = sources.getEventSourceFor(served.getClass()).getSecondaryResources(cached)
                        .stream().map(HasMetadata.class::cast).findFirst().orElseThrow();
                assertEquals(served.getMetadata().getResourceVersion(), inCache.getMetadata().getResourceVersion());
                List<ManagedFieldsEntry> kept = inCache.getMetadata().getManagedFields();
                assertEquals(1, kept.size(), served.getKind() + ": " + kept);
                assertEquals(own.getManager(), kept.get(0).getManager());
                assertEquals(own.getApiVersion(), kept.get(0).getApiVersion());
                assertEquals(own.getTime(), kept.get(0).getTime());
                assertTrue(kept.get(0).getFieldsV1().getAdditionalProperties() instanceof CompactFieldSet);
                assertEquals(own.getFieldsV1().getAdditionalProperties(),
                        kept.get(0).getFieldsV1().getAdditionalProperties());
            });
        }
        // The Deployment's status writer is a manager of its own there.
        assertTrue(deployment(client, hc).getMetadata().getManagedFields().size() > 1,
                String.valueOf(deployment(client, hc).getMetadata().getManagedFields()));
    }

    /**
     * The cached sidecar Deployment's objects share one empty map for the fields their classes do not know
     * (EmptyAdditionalPropertiesDeserialization), and the cached object is still the served one.
     */
    @Test
    void theCachedDeploymentSharesOneEmptyMapForTheFieldsItsModelDoesNotKnow() {
        HealthCheck hc = createReady("shared-empty");

        EventSourceManager<HealthCheck> sources = eventSources();
        HealthCheck cached = sources.getControllerEventSource().get(ResourceID.fromResource(hc)).orElseThrow();
        Deployment inCache = sources.getEventSourceFor(Deployment.class).getSecondaryResources(cached).stream()
                .map(Deployment.class::cast).findFirst().orElseThrow();
        Container container = sidecar(inCache);
        for (Map<String, Object> unknown : List.of(inCache.getAdditionalProperties(),
                inCache.getMetadata().getAdditionalProperties(), inCache.getSpec().getAdditionalProperties(),
                inCache.getSpec().getTemplate().getSpec().getAdditionalProperties(), container.getAdditionalProperties(),
                container.getReadinessProbe().getAdditionalProperties(), inCache.getStatus().getAdditionalProperties())) {
            assertSame(Collections.emptyMap(), unknown);
        }
        assertEquals(deployment(client, hc).getSpec().getTemplate(), inCache.getSpec().getTemplate());
    }

    /**
     * The operator's client, the one its informers parse with, hands out one instance of the values two sidecar
     * Deployments have in common (SharedStringsDeserialization), and their own values where they differ. Its table
     * is lossy by design (a value whose slot another took is a copy until it wins the slot back), so most, not all,
     * of the common values must come out shared: with 16,384 slots and some 150 strings per Deployment, each value
     * loses its slot to another one of the same object about once in a hundred.
     */
    @Test
    void theOperatorsClientSharesTheValuesTheObjectsItParsesHaveInCommon() {
        KubernetesSerialization serialization = operator.getConfigurationService().getKubernetesClient()
                .getKubernetesSerialization();
        String servedA = serialization.asJson(deployment(client, createReady("shared-a")));
        String servedB = serialization.asJson(deployment(client, createReady("shared-b")));
        // One right after the other: the values of other objects parsed in between would take slots too.
        Deployment a = serialization.unmarshal(servedA, Deployment.class);
        Deployment b = serialization.unmarshal(servedB, Deployment.class);

        List<Function<Deployment, String>> common = List.of(
                d -> sidecar(d).getImage(), d -> sidecar(d).getName(), d -> sidecar(d).getImagePullPolicy(),
                d -> sidecar(d).getTerminationMessagePath(), d -> sidecar(d).getTerminationMessagePolicy(),
                d -> sidecar(d).getPorts().get(0).getProtocol(), d -> sidecar(d).getPorts().get(0).getName(),
                d -> sidecar(d).getReadinessProbe().getHttpGet().getPath(),
                d -> sidecar(d).getLivenessProbe().getHttpGet().getScheme(),
                d -> d.getMetadata().getOwnerReferences().get(0).getKind(),
                d -> d.getMetadata().getOwnerReferences().get(0).getApiVersion(),
                d -> d.getMetadata().getLabels().get("app.kubernetes.io/managed-by"),
                d -> d.getSpec().getTemplate().getSpec().getRestartPolicy(),
                d -> d.getSpec().getTemplate().getSpec().getDnsPolicy());
        List<String> copies = new ArrayList<>();
        for (Function<Deployment, String> value : common) {
            assertEquals(value.apply(a), value.apply(b));
            if (value.apply(a) != value.apply(b)) {
                copies.add(value.apply(b));
            }
        }
        assertTrue(copies.size() <= 2, "not shared: " + copies);
        assertNotEquals(a.getMetadata().getUid(), b.getMetadata().getUid());
        assertEquals("shared-b", b.getMetadata().getOwnerReferences().get(0).getName());
    }

    private static Container sidecar(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    @Test
    void theHealthCheckCacheHoldsNoManagedFieldsWhileTheServerKeepsThem() {
        HealthCheck hc = createReady("no-managed-fields");

        // The cache holds none, while the server has the creator's entry and the operator's status apply.
        await().untilAsserted(() -> {
            GenericKubernetesResource served = served(hc);
            HealthCheck cached = eventSources().getControllerEventSource().get(ResourceID.fromResource(hc))
                    .orElseThrow();
            assertEquals(served.getMetadata().getResourceVersion(), cached.getMetadata().getResourceVersion());
            assertNull(cached.getMetadata().getManagedFields());
            assertWrittenByCreatorAndStatusApply(served);
        });
        // Status writes go on without them, and an update that omits them keeps the server's.
        HealthCheck changed = get(client, hc);
        changed.getSpec().setChecks(List.of(tcpCheck("db", "127.0.0.1", 2, false)));
        client.resource(changed).update();
        await().until(() -> Long.valueOf(2).equals(get(client, hc).getStatus().getObservedGeneration()));
        assertWrittenByCreatorAndStatusApply(served(hc));
    }

    /** A HealthCheck read without the HealthCheck class, which drops managedFields. */
    private GenericKubernetesResource served(HealthCheck hc) {
        return client.genericKubernetesResources(HealthCheck.GROUP + "/" + HealthCheck.VERSION, "HealthCheck")
                .inNamespace(namespace).withName(hc.getMetadata().getName()).get();
    }

    private static void assertWrittenByCreatorAndStatusApply(GenericKubernetesResource served) {
        List<ManagedFieldsEntry> entries = served.getMetadata().getManagedFields();
        assertTrue(entries.stream().anyMatch(e -> "status".equals(e.getSubresource())
                && "Apply".equals(e.getOperation())), String.valueOf(entries));
        assertTrue(entries.stream().anyMatch(e -> e.getSubresource() == null), String.valueOf(entries));
    }

    @Test
    void aSpecChangeUpdatesTheConfigRollsThePodsAndBumpsObservedGeneration() {
        HealthCheck hc = client.resource(healthCheck(namespace, "rolling", 8080,
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
        await().until(() -> deployment(client, hc) != null);
        String hashBefore = configHash(deployment(client, hc));

        HealthCheck changed = get(client, hc);
        changed.getSpec().setChecks(List.of(tcpCheck("db", "postgres.shop.svc", 5433, false)));
        client.resource(changed).update();

        await().until(() -> !hashBefore.equals(configHash(deployment(client, hc))));
        await().until(() -> Long.valueOf(2).equals(get(client, hc).getStatus().getObservedGeneration()));
        assertTrue(checksFile(client, hc).contains("\"port\":5433"), checksFile(client, hc));
    }

    @Test
    void driftIsRepaired() {
        HealthCheck hc = client.resource(healthCheck(namespace, "drift", 8080,
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
        await().until(() -> deployment(client, hc) != null);

        // Edited by hand, as kubectl edit would: another field manager takes the field over.
        client.apps().deployments().inNamespace(namespace).withName("drift-healthcheck")
                .edit(d -> {
                    d.getSpec().setReplicas(5);
                    d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("evil/image:1");
                    return d;
                });
        await().until(() -> deployment(client, hc).getSpec().getReplicas() == 1
                && deployment(client, hc).getSpec().getTemplate().getSpec().getContainers().get(0).getImage()
                        .startsWith("healthcheck-operator/healthcheck-sidecar:"));

        String uid = deployment(client, hc).getMetadata().getUid();
        client.apps().deployments().inNamespace(namespace).withName("drift-healthcheck").delete();
        await().until(() -> {
            Deployment recreated = deployment(client, hc);
            return recreated != null && !uid.equals(recreated.getMetadata().getUid());
        });

        client.services().inNamespace(namespace).withName("drift-healthcheck").delete();
        await().until(() -> client.services().inNamespace(namespace).withName("drift-healthcheck").get() != null);
    }

    @Test
    void theServiceAccountAnEarlierReleaseMadeIsDeletedWhenTheSidecarsMoveToTheDefaultOne() {
        HealthCheck hc = client.resource(healthCheck(namespace, "upgraded", 8080,
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
        await().until(() -> deployment(client, hc) != null);
        HealthCheck created = get(client, hc);
        // What an earlier release left behind: an account of the HealthCheck's own, named by the pod template.
        client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                .withMetadata(ownedBy(created, "upgraded-healthcheck"))
                .withAutomountServiceAccountToken(false).build()).create();
        useServiceAccount(hc, "upgraded-healthcheck");

        await().until(() -> client.serviceAccounts().inNamespace(namespace).withName("upgraded-healthcheck")
                .get() == null);
        await().until(() -> "default".equals(deployment(client, hc).getSpec().getTemplate().getSpec()
                .getServiceAccountName()));
    }

    @Test
    void aServiceAccountOfThatNameTheHealthCheckDoesNotOwnIsLeftAlone() {
        HealthCheck hc = client.resource(healthCheck(namespace, "foreign", 8080,
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
        await().until(() -> deployment(client, hc) != null);
        ServiceAccount theirs = client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName("foreign-healthcheck").endMetadata().build()).create();
        useServiceAccount(hc, "foreign-healthcheck");

        // The template goes back to the default account (the field is the operator's), the account stays.
        await().until(() -> "default".equals(deployment(client, hc).getSpec().getTemplate().getSpec()
                .getServiceAccountName()));
        ServiceAccount after = client.serviceAccounts().inNamespace(namespace).withName("foreign-healthcheck").get();
        assertNotNull(after);
        assertEquals(theirs.getMetadata().getUid(), after.getMetadata().getUid());
    }

    @Test
    void theChecksFileConfigMapsAnEarlierReleaseMadeAreDeletedWhenThePodTemplateTakesTheFile() {
        HealthCheck hc = client.resource(healthCheck(namespace, "configmaps", 8080,
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
        await().until(() -> deployment(client, hc) != null);
        HealthCheck created = get(client, hc);
        // What an earlier release left behind: one immutable ConfigMap per configuration, the newest mounted.
        for (String hash : List.of("0000000001", "0000000002")) {
            client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                    .withMetadata(ownedBy(created, "configmaps-healthcheck-" + hash))
                    .withImmutable(true).withData(Map.of("checks.json", "{}")).build()).create();
        }
        // One of the same labels that the HealthCheck does not control stays.
        ConfigMap theirs = client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("configmaps-notes").withLabels(SidecarNames.labels(created)).endMetadata()
                .withData(Map.of("note", "mine")).build()).create();
        client.apps().deployments().inNamespace(namespace).withName(SidecarNames.resourceName(hc)).edit(d -> {
            d.getSpec().getTemplate().getSpec().getVolumes().replaceAll(v -> DeploymentDependent.CONFIG_VOLUME
                    .equals(v.getName()) ? new VolumeBuilder().withName(v.getName()).withNewConfigMap()
                    .withName("configmaps-healthcheck-0000000002").endConfigMap().build() : v);
            return d;
        });

        await().until(() -> client.configMaps().inNamespace(namespace).withLabel(SidecarNames.INSTANCE_LABEL,
                "configmaps").list().getItems().stream().map(c -> c.getMetadata().getName()).toList()
                .equals(List.of("configmaps-notes")));
        await().until(() -> checksFile(client, hc) != null);
        assertEquals(theirs.getMetadata().getUid(), client.configMaps().inNamespace(namespace)
                .withName("configmaps-notes").get().getMetadata().getUid());
    }

    /** Metadata of an object an earlier release made for the HealthCheck: its labels, it as the controller. */
    private static ObjectMeta ownedBy(HealthCheck owner, String name) {
        return new ObjectMetaBuilder().withName(name).withLabels(SidecarNames.labels(owner))
                .addNewOwnerReference().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).endOwnerReference().build();
    }

    /** The pod template of the HealthCheck's Deployment pointed at an account, as an earlier release had it. */
    private void useServiceAccount(HealthCheck hc, String serviceAccount) {
        client.apps().deployments().inNamespace(namespace).withName(SidecarNames.resourceName(hc)).edit(d -> {
            d.getSpec().getTemplate().getSpec().setServiceAccountName(serviceAccount);
            return d;
        });
    }

    /** The API server takes a pod template whose checks file is as large as the validator allows, and no larger. */
    @Test
    void aChecksFileUpToThePodAnnotationLimitIsAppliedOneBeyondIsAnInvalidSpec() {
        HealthCheck large = healthCheck(namespace, "large", 8080, tcpCheck("db", "postgres.shop.svc", 5432, false));
        large.getSpec().setChecks(TestHealthChecks.largePosts(30));
        // Rendered from the spec as the API server stores it, with the schema's defaults.
        HealthCheck defaulted = client.resource(large).dryRun().create();
        String padding = "p".repeat(SpecValidator.MAX_POD_ANNOTATION_BYTES - SpecValidator.POD_ANNOTATION_RESERVE_BYTES
                - DeploymentDependent.podAnnotations(defaulted.getSpec()).entrySet().stream()
                        .mapToInt(e -> e.getKey().length() + e.getValue().length()).sum()
                - "example.com/padding".length());
        large.getSpec().setPodAnnotations(Map.of("example.com/padding", padding));
        defaulted.getSpec().setPodAnnotations(large.getSpec().getPodAnnotations());
        assertEquals(List.of(), SpecValidator.validate(defaulted));
        HealthCheck applied = client.resource(large).create();
        await().untilAsserted(() -> assertNotNull(deployment(client, applied),
                () -> String.valueOf(condition(get(client, applied), ReadyCondition.TYPE))));
        assertTrue(checksFile(client, applied).contains("post-29"));

        HealthCheck tooLarge = healthCheck(namespace, "too-large", 8080,
                tcpCheck("db", "postgres.shop.svc", 5432, false));
        tooLarge.getSpec().setChecks(TestHealthChecks.largePosts(64));
        HealthCheck refused = client.resource(tooLarge).create();
        await().until(() -> condition(get(client, refused), ReadyCondition.TYPE) != null);
        var ready = condition(get(client, refused), ReadyCondition.TYPE);
        assertEquals(ReadyCondition.REASON_INVALID_SPEC, ready.getReason());
        assertTrue(ready.getMessage().startsWith("spec.checks: the rendered checks file takes "), ready.getMessage());
        assertNull(deployment(client, refused));
    }

    @Test
    void aNameTooLongForTheServiceIsInvalidAndCreatesNothing() {
        String name = "a".repeat(SidecarNames.MAX_HEALTHCHECK_NAME_LENGTH + 1);
        HealthCheck hc = client.resource(healthCheck(namespace, name, 8080,
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();

        await().until(() -> condition(get(client, hc), ReadyCondition.TYPE) != null);
        var ready = condition(get(client, hc), ReadyCondition.TYPE);
        assertEquals("False", ready.getStatus());
        assertEquals(ReadyCondition.REASON_INVALID_SPEC, ready.getReason());
        assertTrue(ready.getMessage().contains("metadata.name"), ready.getMessage());
        assertEquals(List.of(), client.apps().deployments().inNamespace(namespace).list().getItems());
        assertEquals(List.of(), client.configMaps().inNamespace(namespace).withLabel("app.kubernetes.io/managed-by")
                .list().getItems());
        assertEquals(List.of(), client.services().inNamespace(namespace).list().getItems());
        await().until(() -> events(client, hc, "InvalidSpec").size() == 1);
    }

    @Test
    void anInvalidUpdateLeavesTheRunningSidecarsAlone() {
        HealthCheck hc = client.resource(healthCheck(namespace, "limits", 8080,
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
        await().until(() -> deployment(client, hc) != null);
        await().until(() -> Long.valueOf(1).equals(get(client, hc).getStatus() == null ? null
                : get(client, hc).getStatus().getObservedGeneration()));
        String deploymentVersion = deployment(client, hc).getMetadata().getResourceVersion();

        HealthCheck invalid = get(client, hc);
        invalid.getSpec().setResources(new ResourceRequirementsBuilder().addToRequests("memory", new Quantity("1Gi"))
                .addToLimits("memory", new Quantity("128Mi")).build());
        invalid.getSpec().setReplicas(3);
        client.resource(invalid).update();

        await().until(() -> ReadyCondition.REASON_INVALID_SPEC
                .equals(condition(get(client, hc), ReadyCondition.TYPE).getReason()));
        HealthCheck observed = get(client, hc);
        assertEquals(2L, observed.getStatus().getObservedGeneration());
        assertTrue(condition(observed, ReadyCondition.TYPE).getMessage().contains("spec.resources.requests.memory"));
        assertEquals(deploymentVersion, deployment(client, hc).getMetadata().getResourceVersion());
        assertEquals(1, deployment(client, hc).getSpec().getReplicas());
    }

    @Test
    void badPodLabelValuesAreInvalid() {
        HealthCheck hc = healthCheck(namespace, "labels", 8080, tcpCheck("db", "postgres.shop.svc", 5432, false));
        hc.getSpec().setPodLabels(Map.of("team", "not a label value"));
        client.resource(hc).create();

        await().until(() -> condition(get(client, hc), ReadyCondition.TYPE) != null);
        var ready = condition(get(client, hc), ReadyCondition.TYPE);
        assertEquals(ReadyCondition.REASON_INVALID_SPEC, ready.getReason());
        assertTrue(ready.getMessage().contains("spec.podLabels[team]"), ready.getMessage());
        assertNull(deployment(client, hc));
    }

    /** A HealthCheck whose Deployment is made available (no controller-manager runs), once it is Ready. */
    private HealthCheck createReady(String name) {
        HealthCheck hc = client.resource(healthCheck(namespace, name, freePort(),
                tcpCheck("db", "127.0.0.1", 1, false))).create();
        markDeploymentAvailable(client, hc, 1);
        await().until(() -> "True".equals(condition(get(client, hc), ReadyCondition.TYPE).getStatus()));
        return hc;
    }

    /** The operator's informers and their caches. */
    private EventSourceManager<HealthCheck> eventSources() {
        @SuppressWarnings("unchecked")
        Controller<HealthCheck> controller = (Controller<HealthCheck>) operator
                .getRegisteredController(HealthCheckReconciler.NAME).orElseThrow();
        return controller.getEventSourceManager();
    }

    private static void assertOwnedBy(HealthCheck owner, HasMetadata owned) {
        List<OwnerReference> refs = owned.getMetadata().getOwnerReferences();
        assertEquals(1, refs.size(), owned.getKind() + " should have one owner");
        OwnerReference ref = refs.get(0);
        assertEquals("HealthCheck", ref.getKind());
        assertEquals("healthcheck-operator.dev/v1alpha1", ref.getApiVersion());
        assertEquals(owner.getMetadata().getUid(), ref.getUid());
        assertEquals(Boolean.TRUE, ref.getController(), "the garbage collector deletes it with its controller");
        assertNotEquals(null, ref.getName());
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> name.equals(e.getName())).map(EnvVar::getValue).findFirst()
                .orElse(null);
    }

    private static String configHash(Deployment deployment) {
        return deployment.getSpec().getTemplate().getMetadata().getAnnotations()
                .get(SidecarNames.CONFIG_HASH_ANNOTATION);
    }
}
