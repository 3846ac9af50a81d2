package dev.healthcheckoperator.clustertests;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** HealthCheck manifests, what the operator made of them, and waiting for it. */
final class HealthChecks {

    /** How long the tests give the operator to converge: generous, the machine is shared. */
    static final Duration CONVERGENCE = Duration.ofMinutes(3);
    /** The label every object the operator owns carries. */
    static final String MANAGED_BY = "app.kubernetes.io/managed-by=healthcheck-operator";

    private HealthChecks() {
    }

    /** A small valid HealthCheck: one TCP check, the schema's defaults for everything else. */
    static String manifest(String namespace, String name, int replicas) {
        return manifest(namespace, name, """
                  replicas: %d
                  checks:
                    - name: api
                      tcpSocket:
                        host: api.%s.svc
                        port: 8080
                """.formatted(replicas, namespace));
    }

    /** A HealthCheck with the given spec: YAML lines indented by two spaces. */
    static String manifest(String namespace, String name, String spec) {
        return """
                apiVersion: healthcheck-operator.dev/v1alpha1
                kind: HealthCheck
                metadata:
                  name: %s
                  namespace: %s
                spec:
                %s""".formatted(name, namespace, spec);
    }

    /** The name of the Deployment and Service of a HealthCheck. */
    static String ownedName(String healthCheck) {
        return healthCheck + "-healthcheck";
    }

    static GenericKubernetesResource get(LocalCluster cluster, String namespace, String name) {
        return cluster.healthChecks().inNamespace(namespace).withName(name).get();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> status(GenericKubernetesResource healthCheck) {
        Object status = healthCheck.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    static Optional<Map<String, Object>> condition(GenericKubernetesResource healthCheck, String type) {
        Object conditions = status(healthCheck).get("conditions");
        if (!(conditions instanceof List<?> list)) {
            return Optional.empty();
        }
        return list.stream().map(c -> (Map<String, Object>) c).filter(c -> type.equals(c.get("type"))).findFirst();
    }

    /** spec.replicas, 1 when the manifest leaves it to the schema's default. */
    static int specReplicas(GenericKubernetesResource healthCheck) {
        Object spec = healthCheck.getAdditionalProperties().get("spec");
        Long replicas = spec instanceof Map<?, ?> map ? number(map.get("replicas")) : null;
        return replicas == null ? 1 : replicas.intValue();
    }

    static Long number(Object value) {
        return value instanceof Number n ? n.longValue() : null;
    }

    /**
     * Waits until the HealthCheck says Ready=True for its current generation with {@code replicas} ready sidecars,
     * and its Deployment agrees: that many replicas asked for and ready, and as many Ready pods.
     */
    static void awaitReady(LocalCluster cluster, String namespace, String name, int replicas) {
        await("HealthCheck " + namespace + "/" + name + " ready with " + replicas + " replicas").atMost(CONVERGENCE)
                .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .untilAsserted(() -> assertReady(cluster, namespace, name, replicas));
    }

    static void assertReady(LocalCluster cluster, String namespace, String name, int replicas) {
        GenericKubernetesResource healthCheck = get(cluster, namespace, name);
        assertThat(healthCheck).as("HealthCheck %s/%s", namespace, name).isNotNull();
        Map<String, Object> status = status(healthCheck);
        assertThat(condition(healthCheck, "Ready")).as("Ready condition in %s", status)
                .hasValueSatisfying(ready -> assertThat(ready).containsEntry("status", "True"));
        assertThat(number(status.get("observedGeneration"))).as("status.observedGeneration in %s", status)
                .isEqualTo(healthCheck.getMetadata().getGeneration());
        assertThat(number(status.get("readyReplicas"))).as("status.readyReplicas in %s", status)
                .isEqualTo(replicas);

        Deployment deployment = cluster.client().apps().deployments().inNamespace(namespace)
                .withName(ownedName(name)).get();
        assertThat(deployment).as("Deployment %s/%s", namespace, ownedName(name)).isNotNull();
        assertThat(deployment.getSpec().getReplicas()).as("Deployment spec.replicas").isEqualTo(replicas);
        assertThat(deployment.getStatus().getReadyReplicas()).as("Deployment status.readyReplicas")
                .isEqualTo(replicas);
        List<Pod> pods = cluster.client().pods().inNamespace(namespace)
                .withLabel("app.kubernetes.io/instance", name).list().getItems();
        assertThat(pods).as("sidecar pods of %s", name).hasSize(replicas)
                .allSatisfy(pod -> assertThat(pod.getStatus().getConditions())
                        .anySatisfy(c -> assertThat(List.of(c.getType(), c.getStatus()))
                                .containsExactly("Ready", "True")));
    }

    /** Waits until the garbage collector has removed the objects and pods of a deleted HealthCheck. */
    static void awaitGone(LocalCluster cluster, String namespace, String healthCheck) {
        await("garbage collection of what " + namespace + "/" + healthCheck + " owned").atMost(CONVERGENCE)
                .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    assertThat(ownedObjects(cluster, namespace, healthCheck)).extracting(HasMetadata::getKind)
                            .as("objects owned by %s", healthCheck).isEmpty();
                    assertThat(cluster.client().pods().inNamespace(namespace)
                            .withLabel("app.kubernetes.io/instance", healthCheck).list().getItems())
                            .as("sidecar pods of %s", healthCheck).isEmpty();
                });
    }

    /**
     * The Deployment and Service of a HealthCheck, and what earlier releases also made (a ServiceAccount of its name,
     * checks-file ConfigMaps with its labels; none is expected now); absent ones are left out.
     */
    static List<HasMetadata> ownedObjects(LocalCluster cluster, String namespace, String healthCheck) {
        String name = ownedName(healthCheck);
        var client = cluster.client();
        return Stream.<HasMetadata>concat(Stream.of(
                client.apps().deployments().inNamespace(namespace).withName(name).get(),
                client.services().inNamespace(namespace).withName(name).get(),
                client.serviceAccounts().inNamespace(namespace).withName(name).get()),
                client.configMaps().inNamespace(namespace).withLabel("app.kubernetes.io/instance", healthCheck)
                        .withLabel("app.kubernetes.io/managed-by", "healthcheck-operator").list().getItems().stream())
                .filter(Objects::nonNull).toList();
    }

    /** Asserts the object's only owner is the HealthCheck, as its controller, so the garbage collector removes it. */
    static void assertOwnedBy(HasMetadata object, GenericKubernetesResource healthCheck) {
        List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
        assertThat(owners).as("ownerReferences of %s %s", object.getKind(), object.getMetadata().getName())
                .singleElement().satisfies(owner -> {
                    assertThat(owner.getApiVersion()).isEqualTo(healthCheck.getApiVersion());
                    assertThat(owner.getKind()).isEqualTo("HealthCheck");
                    assertThat(owner.getName()).isEqualTo(healthCheck.getMetadata().getName());
                    assertThat(owner.getUid()).isEqualTo(healthCheck.getMetadata().getUid());
                    assertThat(owner.getController()).isTrue();
                });
    }
}
