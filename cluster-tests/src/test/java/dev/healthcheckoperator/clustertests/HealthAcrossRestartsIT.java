package dev.healthcheckoperator.clustertests;

import java.time.Duration;
import java.util.List;

import io.fabric8.kubernetes.api.model.events.v1.Event;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real health on the local control plane: a packaged sidecar process probes an upstream the test switches, the
 * operator polls that sidecar (through the {@link SidecarRelay}), and the HealthCheck's status must follow the
 * upstream across an operator restart (nothing changed: no status write, no Event), an API-server outage (the
 * upstream broke meanwhile: Unhealthy once, one Event) and a SIGKILLed operator (healed meanwhile: Healthy once).
 */
@ClusterTest(operatorMayExit = true)
class HealthAcrossRestartsIT {

    private static final String NAME = "shop";

    @Test
    void healthFollowsTheUpstreamAcrossOperatorAndApiServerRestarts(LocalCluster cluster) throws Exception {
        String namespace = cluster.createNamespace("real-health");
        try (SwitchableUpstream upstream = new SwitchableUpstream();
                SidecarProcess sidecar = SidecarProcess.start(cluster.repoRoot(),
                        cluster.runDirectory().resolve("sidecars"), """
                                periodSeconds: 2
                                timeoutSeconds: 1
                                failureThreshold: 2
                                checks:
                                  - name: api
                                    critical: true
                                    httpGet:
                                      url: %s
                                """.formatted(upstream.readyUrl()))) {
            cluster.relay().route(namespace, NAME, sidecar.port());
            cluster.kubectl().apply(HealthChecks.manifest(namespace, NAME, """
                      replicas: 1
                      checks:
                        - name: api
                          critical: true
                          httpGet:
                            url: http://api.%s.svc:8080/ready
                    """.formatted(namespace)));
            HealthChecks.awaitReady(cluster, namespace, NAME, 1);
            awaitHealth(cluster, namespace, "Healthy");
            await("the Healthy Event of the first verdict").atMost(HealthChecks.CONVERGENCE)
                    .until(() -> occurrences(cluster, namespace, "Healthy") >= 1);
            int healthyEvents = occurrences(cluster, namespace, "Healthy");
            assertThat(healthyEvents).as("Healthy Events once the first verdict is in").isEqualTo(1);

            // Restarted with nothing changed: the new operator polls the same verdict and writes nothing.
            String resourceVersion = HealthChecks.get(cluster, namespace, NAME).getMetadata().getResourceVersion();
            int eventsBefore = allOccurrences(cluster, namespace);
            restartOperator(cluster);
            int polled = cluster.relay().answered(namespace, NAME);
            await("three polls by the restarted operator").atMost(HealthChecks.CONVERGENCE)
                    .until(() -> cluster.relay().answered(namespace, NAME) >= polled + 3);
            assertThat(HealthChecks.get(cluster, namespace, NAME).getMetadata().getResourceVersion())
                    .as("resourceVersion after an operator restart with nothing changed").isEqualTo(resourceVersion);
            assertThat(allOccurrences(cluster, namespace)).as("Events after that restart").isEqualTo(eventsBefore);

            // The upstream breaks while the API server is away: the operator says so once it is back.
            cluster.killApiServer();
            upstream.healthy(false);
            cluster.up();
            awaitHealth(cluster, namespace, "Unhealthy");
            await("one Unhealthy Event").atMost(HealthChecks.CONVERGENCE)
                    .until(() -> occurrences(cluster, namespace, "Unhealthy") >= 1);
            assertThat(occurrences(cluster, namespace, "Unhealthy")).as("Unhealthy Events").isEqualTo(1);

            // Healed while the operator is SIGKILLed: the next one finds it healthy again.
            long killed = cluster.operator().pid();
            cluster.operator().kill();
            upstream.healthy(true);
            await("operator started again").atMost(Duration.ofMinutes(1))
                    .until(() -> cluster.operator().pid() != killed);
            awaitHealth(cluster, namespace, "Healthy");
            await("a second Healthy Event").atMost(HealthChecks.CONVERGENCE)
                    .until(() -> occurrences(cluster, namespace, "Healthy") >= healthyEvents + 1);
            assertThat(occurrences(cluster, namespace, "Healthy")).as("Healthy Events").isEqualTo(healthyEvents + 1);
            assertThat(occurrences(cluster, namespace, "Unhealthy")).as("Unhealthy Events").isEqualTo(1);
            cluster.awaitOperatorReady();
        }
    }

    private static void restartOperator(LocalCluster cluster) throws InterruptedException {
        long before = cluster.operator().pid();
        cluster.operator().kill();
        await("operator started again").atMost(Duration.ofMinutes(1)).until(() -> cluster.operator().pid() != before);
        cluster.awaitOperatorReady();
    }

    private static void awaitHealth(LocalCluster cluster, String namespace, String health) {
        await(NAME + " " + health).atMost(HealthChecks.CONVERGENCE).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions()
                .until(() -> HealthChecks.status(HealthChecks.get(cluster, namespace, NAME)).get("health"),
                        health::equals);
    }

    /** Occurrences of the HealthCheck's Events with this reason: an Event repeated in a series counts each time. */
    private static int occurrences(LocalCluster cluster, String namespace, String reason) {
        return events(cluster, namespace).stream().filter(e -> reason.equals(e.getReason()))
                .mapToInt(HealthAcrossRestartsIT::count).sum();
    }

    private static int allOccurrences(LocalCluster cluster, String namespace) {
        return events(cluster, namespace).stream().mapToInt(HealthAcrossRestartsIT::count).sum();
    }

    private static List<Event> events(LocalCluster cluster, String namespace) {
        return cluster.client().events().v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> e.getRegarding() != null && NAME.equals(e.getRegarding().getName())).toList();
    }

    private static int count(Event event) {
        return event.getSeries() == null || event.getSeries().getCount() == null ? 1 : event.getSeries().getCount();
    }
}
