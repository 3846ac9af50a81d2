package dev.healthcheckoperator.operator.health;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.await;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.condition;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.get;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.markDeploymentAvailable;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.reconciler.HealthyCondition;
import dev.healthcheckoperator.operator.testsupport.Blackhole;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.KubeApiServerResource;
import dev.healthcheckoperator.operator.testsupport.StubSidecar;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * 50 HealthChecks whose sidecars cannot be reached (connecting hangs until the 2 s deadline, as behind a
 * default-deny NetworkPolicy) beside 3 reachable ones: through 8 poll slots, a round over all of them would take
 * 12.5 s, well beyond the 5 s gap allowed, so the reachable sidecars keep their 1 s period only if unreachable ones
 * never hold their slots. (More unreachable ones would prove nothing more: each costs its three polls' timeouts.)
 */
@QuarkusTest
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = false)
class UnreachableSidecarsTest {

    static final int UNREACHABLE = 50;
    /** Period 1 s (+-10%): generous for a busy machine, far below the 25 s a shared round would take. */
    static final Duration MAX_GAP = Duration.ofSeconds(5);

    final KubernetesClient client = ControlPlane.admin();

    @Test
    void reachableSidecarsKeepTheirPeriodBesideFiftyUnreachableOnes() throws Exception {
        String namespace = ControlPlane.createNamespace(client, "unreachable");
        List<StubSidecar> reachable = new ArrayList<>();
        try (Blackhole blackhole = new Blackhole()) {
            List<HealthCheck> healthy = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                StubSidecar sidecar = new StubSidecar();
                reachable.add(sidecar);
                healthy.add(create(namespace, "reachable-" + i, sidecar.port()));
            }
            for (HealthCheck hc : healthy) {
                markDeploymentAvailable(client, hc, 1);
                await().until(() -> get(client, hc).getStatus().getHealth() == Health.Healthy);
            }

            // From here on, while 50 new unreachable HealthChecks arrive and are polled, the period is measured.
            List<Integer> from = reachable.stream().map(s -> s.pollTimes().size()).toList();
            List<HealthCheck> unreachable = new ArrayList<>();
            for (int i = 0; i < UNREACHABLE; i++) {
                unreachable.add(create(namespace, "unreachable-" + i, blackhole.port()));
            }
            for (HealthCheck hc : unreachable) {
                await().atMost(Duration.ofMinutes(3)).ignoreExceptions()
                        .untilAsserted(() -> markDeploymentAvailable(client, hc, 1));
            }
            // Every unreachable sidecar has been tried (three times, the threshold) and is unknown.
            for (HealthCheck hc : unreachable) {
                await().atMost(Duration.ofMinutes(3)).until(() -> "SidecarUnreachable".equals(reason(hc)));
            }

            for (int s = 0; s < reachable.size(); s++) {
                List<Long> times = reachable.get(s).pollTimes();
                times = times.subList(from.get(s), times.size());
                assertTrue(times.size() > 10, times.size() + " polls");
                for (int i = 1; i < times.size(); i++) {
                    Duration gap = Duration.ofNanos(times.get(i) - times.get(i - 1));
                    assertTrue(gap.compareTo(MAX_GAP) < 0, "a reachable sidecar waited " + gap + " between polls");
                }
                assertEquals(Health.Healthy, get(client, healthy.get(s)).getStatus().getHealth());
            }
        } finally {
            reachable.forEach(StubSidecar::close);
        }
    }

    private HealthCheck create(String namespace, String name, int port) {
        return client.resource(healthCheck(namespace, name, port, tcpCheck("db", "db.shop.svc", 5432, true)))
                .create();
    }

    private String reason(HealthCheck hc) {
        var healthy = condition(get(client, hc), HealthyCondition.TYPE);
        return healthy == null ? null : healthy.getReason();
    }
}
