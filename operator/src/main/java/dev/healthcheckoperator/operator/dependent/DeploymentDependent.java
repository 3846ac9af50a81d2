package dev.healthcheckoperator.operator.dependent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.healthcheckoperator.operator.cache.CacheSettings;
import dev.healthcheckoperator.operator.config.OperatorConfig;
import dev.healthcheckoperator.operator.crd.v1alpha1.DiagnosticsSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckSpec;
import dev.healthcheckoperator.operator.reconciler.LegacyObjects;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/** The probe sidecars: locked down (non-root, read-only root filesystem, no capabilities, no API token). */
@KubernetesDependent(informer = @Informer(labelSelector = ManagedBySelector.SELECTOR,
        onUpdateFilter = DeploymentUpdateFilter.class, informerListLimit = CacheSettings.LIST_PAGE_SIZE))
public class DeploymentDependent extends OwnedDependent<Deployment> {

    public static final String CONTAINER_NAME = "sidecar";
    static final String CONFIG_DIR = "/etc/healthcheck";
    /** The volume that shows the checks file at {@link #CONFIG_DIR}; earlier releases mounted a ConfigMap as it. */
    public static final String CONFIG_VOLUME = "config";
    static final String DIAGNOSTICS_TOKEN_DIR = "/var/run/secrets/healthcheck-operator/diagnostics";
    static final String DIAGNOSTICS_TOKEN_FILE = "token";
    static final String HEAP_DUMP_DIR = "/var/run/healthcheck-operator/heap-dumps";
    /** The sidecar's -Xmx (sidecar/jvm.options): a dump is at most about this large. */
    static final long SIDECAR_HEAP_MAX_BYTES = 48L * 1024 * 1024;
    /** The sidecar's default sidecar.diagnostics.heap-dump-reserve-bytes, kept free besides a dump. */
    static final long HEAP_DUMP_RESERVE_BYTES = 64L * 1024 * 1024;
    /**
     * The dump volume holds the largest dump plus the reserve. Its sizeLimit is enforced by eviction, not by
     * the filesystem, so the sidecar is told the limit and refuses (507) a dump that would pass it.
     */
    static final long HEAP_DUMP_VOLUME_BYTES = SIDECAR_HEAP_MAX_BYTES + HEAP_DUMP_RESERVE_BYTES;
    /**
     * The sidecar's memory when the HealthCheck sets no resources (BENCHMARKS.md, "Sidecar footprint"). The request
     * is its private memory measured with 10 checks under load (57 MiB) plus a 12% margin: the other part of its
     * RSS, about 47 MiB of the JDK 25 image's AOT cache and libjvm.so, is clean file pages that the pods of one node
     * running the same image layer share and the kernel can reclaim. The limit stays above the sum of the JVM's caps
     * (152 MiB, sidecar/jvm.options), so the sidecar is not OOM-killed for growing within its flags.
     */
    static final String DEFAULT_MEMORY_REQUEST = "64Mi";
    static final String DEFAULT_MEMORY_LIMIT = "160Mi";
    /** The sidecar image's non-root user. */
    static final long SIDECAR_UID = 1001;
    /**
     * Old ReplicaSets kept for a rollback (each carries its checks file in its pod template). Two: each
     * kept ReplicaSet is an object in etcd and in the controller-manager's cache, times every HealthCheck.
     */
    public static final int REVISION_HISTORY_LIMIT = 2;
    /**
     * The namespace's default ServiceAccount: the sidecar mounts no token and never calls the API server, so an
     * account of its own would be one object (and one write) per HealthCheck for nothing. Named, not left out, so
     * that a change to it is reverted like any other field of the pod template.
     */
    static final String SERVICE_ACCOUNT = "default";

    /** Key of the workflow context: how long this HealthCheck's operator-caused rollout waits for its turn. */
    public static final String ROLLOUT_WAIT = "rollout-wait";

    private static final Logger LOG = Logger.getLogger(DeploymentDependent.class);

    @Inject
    OperatorConfig config;

    @Inject
    RolloutPacer pacer;

    public DeploymentDependent() {
        super(Deployment.class);
    }

    @Override
    protected Deployment desired(HealthCheck healthCheck, Context<HealthCheck> context) {
        HealthCheckSpec spec = healthCheck.getSpec();
        Map<String, String> podLabels = new LinkedHashMap<>();
        if (spec.getPodLabels() != null) {
            podLabels.putAll(spec.getPodLabels());
        }
        podLabels.putAll(SidecarNames.labels(healthCheck));
        Map<String, String> podAnnotations = podAnnotations(spec);

        Deployment desired = new DeploymentBuilder()
                .withMetadata(metadata(healthCheck))
                .withNewSpec()
                .withReplicas(spec.getReplicas())
                .withRevisionHistoryLimit(REVISION_HISTORY_LIMIT)
                .withNewSelector().withMatchLabels(SidecarNames.selectorLabels(healthCheck)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(podLabels).withAnnotations(podAnnotations).endMetadata()
                .withNewSpec()
                .withServiceAccountName(SERVICE_ACCOUNT)
                .withAutomountServiceAccountToken(false)
                // No *_SERVICE_HOST/_PORT variables for every Service of the namespace: the sidecar reads none,
                // and with thousands of Services they would bloat every pod's environment.
                .withEnableServiceLinks(false)
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(SIDECAR_UID)
                .withRunAsGroup(SIDECAR_UID)
                .withFsGroup(SIDECAR_UID)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withNodeSelector(spec.getNodeSelector())
                .withTolerations(spec.getTolerations())
                .withAffinity(spec.getAffinity())
                .withImagePullSecrets(imagePullSecrets())
                .withContainers(container(healthCheck))
                .withVolumes(volumes(healthCheck))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        // What the Deployment was rendered from, on its own metadata (no pod rolls for it): see match.
        Map<String, String> rendered = new LinkedHashMap<>();
        rendered.put(SidecarNames.RENDERED_FOR_GENERATION_ANNOTATION,
                String.valueOf(healthCheck.getMetadata().getGeneration()));
        rendered.put(SidecarNames.RENDERED_HASH_ANNOTATION,
                SidecarConfigRenderer.hash(Serialization.asJson(desired.getSpec())));
        desired.getMetadata().setAnnotations(rendered);
        return desired;
    }

    /** The sidecar pods' annotations: the user's, then the checks file and its digest (which no user key replaces). */
    public static Map<String, String> podAnnotations(HealthCheckSpec spec) {
        Map<String, String> podAnnotations = new LinkedHashMap<>();
        if (spec.getPodAnnotations() != null) {
            podAnnotations.putAll(spec.getPodAnnotations());
        }
        String checksFile = SidecarConfigRenderer.render(spec);
        podAnnotations.put(SidecarNames.CONFIG_HASH_ANNOTATION, SidecarConfigRenderer.hash(checksFile));
        podAnnotations.put(SidecarNames.CHECKS_ANNOTATION, checksFile);
        return podAnnotations;
    }

    /**
     * Also unmatched when the pod template has an addition that apply would keep, see {@link PodTemplateDrift}.
     * A Deployment that differs only because the operator renders it differently now (it was rendered for the
     * HealthCheck's current generation, by an operator whose rendering of it had another digest, or by a release
     * that noted none) waits for its turn from the {@link RolloutPacer}: counted as matched meanwhile, with the wait
     * left in the workflow context under {@link #ROLLOUT_WAIT} for the status. A change of the spec, or an edit of
     * the Deployment by someone else (the digest it carries is still the desired one), is applied at once.
     */
    @Override
    public Matcher.Result<Deployment> match(Deployment actual, Deployment desired, HealthCheck primary,
            Context<HealthCheck> context) {
        Matcher.Result<Deployment> applied = super.match(actual, desired, primary, context);
        boolean drifted = !PodTemplateDrift.repairs(actual, desired).isEmpty();
        ResourceID id = ResourceID.fromResource(primary);
        if (applied.matched() && !drifted) {
            pacer.release(id);
            return applied;
        }
        if (renderedDifferentlyForTheSameSpec(actual, desired)) {
            Optional<Duration> wait = pacer.waitFor(id);
            if (wait.isPresent()) {
                context.managedWorkflowAndDependentResourceContext().put(ROLLOUT_WAIT, wait.get());
                return Matcher.Result.computed(true, desired);
            }
            LOG.infof("Rolling the sidecars of HealthCheck %s/%s onto the pod template this operator renders now",
                    id.getNamespace().orElse(""), id.getName());
        } else {
            pacer.release(id);
        }
        return drifted ? Matcher.Result.computed(false, desired) : applied;
    }

    private static boolean renderedDifferentlyForTheSameSpec(Deployment actual, Deployment desired) {
        Map<String, String> have = actual.getMetadata().getAnnotations() == null ? Map.of()
                : actual.getMetadata().getAnnotations();
        Map<String, String> want = desired.getMetadata().getAnnotations();
        String renderedFor = have.get(SidecarNames.RENDERED_FOR_GENERATION_ANNOTATION);
        boolean sameSpec = renderedFor == null
                || renderedFor.equals(want.get(SidecarNames.RENDERED_FOR_GENERATION_ANNOTATION));
        return sameSpec && !Objects.equals(have.get(SidecarNames.RENDERED_HASH_ANNOTATION),
                want.get(SidecarNames.RENDERED_HASH_ANNOTATION));
    }

    @Override
    public Deployment update(Deployment actual, Deployment desired, HealthCheck primary,
            Context<HealthCheck> context) {
        LegacyObjects.removeBeforeUpgrade(primary, actual, context);
        List<Map<String, Object>> repairs = PodTemplateDrift.repairs(actual, desired);
        if (!repairs.isEmpty()) {
            context.getClient().apps().deployments().inNamespace(actual.getMetadata().getNamespace())
                    .resource(actual).patch(PatchContext.of(PatchType.JSON), Serialization.asJson(repairs));
        }
        return super.update(actual, desired, primary, context);
    }

    /** The operator's sidecar pull secrets; null (no field at all) when there are none. */
    private List<LocalObjectReference> imagePullSecrets() {
        return config.sidecar().imagePullSecrets()
                .map(names -> names.stream().map(LocalObjectReference::new).toList()).orElse(null);
    }

    private Container container(HealthCheck healthCheck) {
        HealthCheckSpec spec = healthCheck.getSpec();
        String image = spec.getImage() == null || spec.getImage().isEmpty() ? config.sidecar().image() : spec.getImage();
        return new ContainerBuilder()
                .withName(CONTAINER_NAME)
                .withImage(image)
                .withImagePullPolicy(config.sidecar().imagePullPolicy())
                .withPorts(ports(spec))
                .withEnv(env(spec))
                .withResources(resources(spec))
                .withVolumeMounts(volumeMounts(spec))
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withPrivileged(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withStartupProbe(probe("/health/started", 30))
                .withLivenessProbe(probe("/health/live", 3))
                .withReadinessProbe(probe("/health/ready", 3))
                .build();
    }

    private static Probe probe(String path, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath(path).withPort(new IntOrString(SidecarNames.HEALTH_PORT_NAME)).endHttpGet()
                .withPeriodSeconds(5)
                .withTimeoutSeconds(2)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    private static List<ContainerPort> ports(HealthCheckSpec spec) {
        List<ContainerPort> ports = new ArrayList<>();
        ports.add(new ContainerPortBuilder().withName(SidecarNames.HEALTH_PORT_NAME).withContainerPort(spec.getPort())
                .withProtocol("TCP").build());
        if (diagnosticsEnabled(spec)) {
            ports.add(new ContainerPortBuilder().withName(SidecarNames.DIAGNOSTICS_PORT_NAME)
                    .withContainerPort(spec.getDiagnostics().getPort()).withProtocol("TCP").build());
        }
        return ports;
    }

    private static List<EnvVar> env(HealthCheckSpec spec) {
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("SIDECAR_PORT", String.valueOf(spec.getPort()), null));
        env.add(new EnvVar("SIDECAR_CONFIG_FILE", CONFIG_DIR + "/" + SidecarNames.CONFIG_KEY, null));
        env.add(new EnvVar("SIDECAR_DIAGNOSTICS_ENABLED", String.valueOf(diagnosticsEnabled(spec)), null));
        if (diagnosticsEnabled(spec)) {
            env.add(new EnvVar("SIDECAR_DIAGNOSTICS_PORT", String.valueOf(spec.getDiagnostics().getPort()), null));
            env.add(new EnvVar("SIDECAR_DIAGNOSTICS_TOKEN_FILE", DIAGNOSTICS_TOKEN_DIR + "/" + DIAGNOSTICS_TOKEN_FILE,
                    null));
            if (diagnosticsExposed(spec)) { // else the sidecar's default, 127.0.0.1: port-forward only
                env.add(new EnvVar("SIDECAR_DIAGNOSTICS_HOST", "0.0.0.0", null));
            }
            env.add(new EnvVar("SIDECAR_DIAGNOSTICS_HEAP_DUMP_DIR", HEAP_DUMP_DIR, null));
            env.add(new EnvVar("SIDECAR_DIAGNOSTICS_HEAP_DUMP_VOLUME_BYTES", String.valueOf(HEAP_DUMP_VOLUME_BYTES),
                    null));
        }
        return env;
    }

    /** Small defaults: the sidecar only runs a handful of network checks. */
    private static ResourceRequirements resources(HealthCheckSpec spec) {
        ResourceRequirements requested = spec.getResources();
        boolean empty = requested == null
                || (isEmpty(requested.getRequests()) && isEmpty(requested.getLimits()));
        if (!empty) {
            return requested;
        }
        return new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("50m"))
                .addToRequests("memory", new Quantity(DEFAULT_MEMORY_REQUEST))
                .addToLimits("memory", new Quantity(DEFAULT_MEMORY_LIMIT))
                .build();
    }

    private static boolean isEmpty(Map<?, ?> map) {
        return map == null || map.isEmpty();
    }

    private static List<VolumeMount> volumeMounts(HealthCheckSpec spec) {
        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(new VolumeMountBuilder().withName(CONFIG_VOLUME).withMountPath(CONFIG_DIR).withReadOnly(true).build());
        // The root filesystem is read-only; /tmp is the only place the sidecar writes to.
        mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
        if (diagnosticsEnabled(spec)) {
            mounts.add(new VolumeMountBuilder().withName("diagnostics-token").withMountPath(DIAGNOSTICS_TOKEN_DIR)
                    .withReadOnly(true).build());
            mounts.add(new VolumeMountBuilder().withName("heap-dumps").withMountPath(HEAP_DUMP_DIR).build());
        }
        mounts.addAll(MountedReferences.mounts(spec));
        return mounts;
    }

    private static List<Volume> volumes(HealthCheck healthCheck) {
        HealthCheckSpec spec = healthCheck.getSpec();
        List<Volume> volumes = new ArrayList<>();
        // The checks file is the pod's own annotation (see SidecarNames.CHECKS_ANNOTATION), so it needs no object.
        volumes.add(new VolumeBuilder().withName(CONFIG_VOLUME).withNewDownwardAPI()
                // The items list is atomic: server-side apply owns it whole, with what the API server fills in
                // (fieldRef.apiVersion), so the desired list names that too or it never matches the live one.
                .addNewItem().withPath(SidecarNames.CONFIG_KEY).withNewFieldRef().withApiVersion("v1")
                .withFieldPath("metadata.annotations['" + SidecarNames.CHECKS_ANNOTATION + "']").endFieldRef()
                .endItem().endDownwardAPI().build());
        volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("16Mi"))
                .endEmptyDir().build());
        if (diagnosticsEnabled(spec)) {
            DiagnosticsSpec diagnostics = spec.getDiagnostics();
            volumes.add(new VolumeBuilder().withName("diagnostics-token").withNewSecret()
                    .withSecretName(diagnostics.getTokenSecretRef().getName())
                    .addNewItem().withKey(diagnostics.getTokenSecretRef().getKey()).withPath(DIAGNOSTICS_TOKEN_FILE)
                    .endItem()
                    .endSecret().build());
            volumes.add(new VolumeBuilder().withName("heap-dumps").withNewEmptyDir()
                    .withSizeLimit(new Quantity(HEAP_DUMP_VOLUME_BYTES / (1024 * 1024) + "Mi")).endEmptyDir().build());
        }
        volumes.addAll(MountedReferences.volumes(spec));
        return volumes;
    }

    static boolean diagnosticsEnabled(HealthCheckSpec spec) {
        return spec.getDiagnostics() != null && Boolean.TRUE.equals(spec.getDiagnostics().getEnabled());
    }

    /** Diagnostics opened to the pod network for the peers the user names (and a NetworkPolicy for them). */
    static boolean diagnosticsExposed(HealthCheckSpec spec) {
        return diagnosticsEnabled(spec) && spec.getDiagnostics().getAllowFrom() != null
                && !spec.getDiagnostics().getAllowFrom().isEmpty();
    }
}
