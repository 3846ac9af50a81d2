package dev.healthcheckoperator.clustertests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;

import static org.assertj.core.api.Assertions.assertThat;

/** What a user sees: an applied HealthCheck gets ready sidecars, a deleted one takes its objects with it. */
@ClusterTest
class ReconcileIT {

    private static final Pattern METADATA_NAMESPACE = Pattern.compile("(?m)^  namespace: \\S+$");

    static Stream<String> examples() throws IOException {
        Path examples = LocalCluster.findRepoRoot().resolve("examples");
        try (Stream<Path> files = Files.list(examples)) {
            List<String> names = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
                    .sorted().toList();
            assertThat(names).as("HealthCheck examples in %s", examples).isNotEmpty();
            return names.stream();
        }
    }

    /** kubectl apply -f examples/X.yaml (in a namespace of its own) ends with Ready=True for its generation. */
    @ParameterizedTest
    @MethodSource("examples")
    void exampleBecomesReady(String example, LocalCluster cluster) throws IOException {
        String original = Files.readString(cluster.repoRoot().resolve("examples").resolve(example));
        GenericKubernetesResource parsed = Serialization.unmarshal(original, GenericKubernetesResource.class);
        String name = parsed.getMetadata().getName();
        int replicas = HealthChecks.specReplicas(parsed);
        String namespace = cluster.createNamespace("example");

        Matcher matcher = METADATA_NAMESPACE.matcher(original);
        assertThat(matcher.find()).as("metadata.namespace in %s", example).isTrue();
        Path copy = cluster.runDirectory().resolve(namespace + "-" + example);
        Files.writeString(copy, matcher.replaceFirst("  namespace: " + namespace));
        // The Secrets an example's header values and diagnostics token come from, as its comment tells the user to
        // create them first.
        for (Map<?, ?> ref : secretKeyRefs(parsed.getAdditionalProperties().get("spec"))) {
            cluster.kubectl().ok("-n", namespace, "create", "secret", "generic", String.valueOf(ref.get("name")),
                    "--from-literal=" + ref.get("key") + "=Bearer example-" + namespace);
        }
        cluster.kubectl().ok("apply", "-f", copy.toString());

        HealthChecks.awaitReady(cluster, namespace, name, replicas);
    }

    /** Every {@code secretKeyRef} and {@code tokenSecretRef} ({@code name}, {@code key}) anywhere in a spec. */
    private static List<Map<?, ?>> secretKeyRefs(Object node) {
        List<Map<?, ?>> refs = new ArrayList<>();
        if (node instanceof Map<?, ?> map) {
            map.forEach((field, value) -> {
                if (("secretKeyRef".equals(field) || "tokenSecretRef".equals(field)) && value instanceof Map<?, ?> ref) {
                    refs.add(ref);
                } else {
                    refs.addAll(secretKeyRefs(value));
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> refs.addAll(secretKeyRefs(item)));
        }
        return refs;
    }

    @Test
    void deletingTheHealthCheckRemovesWhatItOwned(LocalCluster cluster) {
        String namespace = cluster.createNamespace("gc");
        cluster.kubectl().apply(HealthChecks.manifest(namespace, "orders", 1));
        HealthChecks.awaitReady(cluster, namespace, "orders", 1);
        GenericKubernetesResource healthCheck = HealthChecks.get(cluster, namespace, "orders");
        List<HasMetadata> owned = HealthChecks.ownedObjects(cluster, namespace, "orders");
        assertThat(owned).extracting(HasMetadata::getKind)
                .containsExactlyInAnyOrder("Deployment", "Service");
        owned.forEach(object -> HealthChecks.assertOwnedBy(object, healthCheck));

        cluster.kubectl().ok("delete", "healthcheck", "orders", "-n", namespace);

        HealthChecks.awaitGone(cluster, namespace, "orders");
    }
}
