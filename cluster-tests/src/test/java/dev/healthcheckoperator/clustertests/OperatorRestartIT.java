package dev.healthcheckoperator.clustertests;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;

import static org.awaitility.Awaitility.await;

/**
 * The operator is SIGKILLed while it works through a batch of new HealthChecks and started again: everything
 * converges, with exactly one of each owned object per HealthCheck.
 */
@ClusterTest(operatorMayExit = true)
class OperatorRestartIT {

    private static final int COUNT = 10;

    @Test
    void killedWhileReconcilingConvergesWithoutDuplicates(LocalCluster cluster) throws InterruptedException {
        String namespace = cluster.createNamespace("operator-restart");
        List<String> names = IntStream.rangeClosed(1, COUNT).mapToObj(i -> "service-" + i).toList();
        long killedPid = cluster.operator().pid();

        cluster.kubectl().apply(names.stream().map(name -> HealthChecks.manifest(namespace, name, 1))
                .collect(Collectors.joining("---\n")));
        // Kill as soon as the operator has started creating objects, before it is done with all of them.
        await("first Deployment").atMost(HealthChecks.CONVERGENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> !cluster.client().apps().deployments().inNamespace(namespace).list().getItems()
                        .isEmpty());
        long readyAtKill = names.stream().filter(name -> HealthChecks.condition(
                HealthChecks.get(cluster, namespace, name), "Ready")
                .filter(c -> "True".equals(c.get("status"))).isPresent()).count();
        cluster.operator().kill();
        System.out.printf("operator killed with %d of %d HealthChecks ready%n", readyAtKill, COUNT);

        await("operator started again").atMost(Duration.ofMinutes(1))
                .until(() -> cluster.operator().pid() != killedPid);
        for (String name : names) {
            HealthChecks.awaitReady(cluster, namespace, name, 1);
        }

        SoftAssertions softly = new SoftAssertions();
        for (String name : names) {
            GenericKubernetesResource healthCheck = HealthChecks.get(cluster, namespace, name);
            List<HasMetadata> owned = HealthChecks.ownedObjects(cluster, namespace, name);
            softly.assertThat(owned).extracting(HasMetadata::getKind).as("objects owned by %s", name)
                    .containsExactlyInAnyOrder("Deployment", "Service");
            owned.forEach(object -> softly.check(() -> HealthChecks.assertOwnedBy(object, healthCheck)));
        }
        var client = cluster.client();
        softly.assertThat(client.apps().deployments().inNamespace(namespace).withLabelSelector(
                HealthChecks.MANAGED_BY).list().getItems()).as("Deployments").hasSize(COUNT);
        softly.assertThat(client.services().inNamespace(namespace).withLabelSelector(HealthChecks.MANAGED_BY)
                .list().getItems()).as("Services").hasSize(COUNT);
        // The checks file is in the pod template.
        softly.assertThat(client.configMaps().inNamespace(namespace).withLabelSelector(HealthChecks.MANAGED_BY)
                .list().getItems()).as("ConfigMaps").isEmpty();
        // The sidecars run as the namespace's default account.
        softly.assertThat(client.serviceAccounts().inNamespace(namespace).withLabelSelector(HealthChecks.MANAGED_BY)
                .list().getItems()).as("ServiceAccounts").isEmpty();
        // One ReplicaSet per Deployment: the restart rolled no pod template.
        List<ReplicaSet> replicaSets = client.apps().replicaSets().inNamespace(namespace).list().getItems();
        softly.assertThat(replicaSets).as("ReplicaSets").hasSize(COUNT);
        softly.assertThat(client.pods().inNamespace(namespace).list().getItems()).as("Pods").hasSize(COUNT);
        softly.assertAll();
        cluster.awaitOperatorReady();
    }
}
