package dev.healthcheckoperator.operator.reconciler;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.await;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.condition;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.deployment;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.freePort;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.get;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.markDeploymentAvailable;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.StatusCondition;
import dev.healthcheckoperator.operator.dependent.SidecarNames;
import dev.healthcheckoperator.operator.testsupport.AdjustableClock;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.KubeApiServerResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A pod template the operator renders differently for an unchanged spec (an upgrade's new default image) rolls at the
 * configured rate (60 per minute in tests: one turn per second of the test's clock), while a change of the spec rolls
 * at once. The clock stands still while the test counts, so "how many rolled" has one right answer.
 */
@QuarkusTest
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = false)
class RolloutPacingTest {

    private static final String EARLIER_IMAGE = "healthcheck-operator/healthcheck-sidecar:earlier";

    final KubernetesClient client = ControlPlane.admin();

    @Inject
    AdjustableClock clock;

    String namespace;

    @BeforeEach
    void createNamespace() {
        namespace = ControlPlane.createNamespace(client, "pacing");
    }

    @AfterEach
    void runClock() {
        clock.run();
    }

    @Test
    void anOperatorChangeRollsOneDeploymentPerTurnAndASpecChangeAtOnce() {
        List<HealthCheck> fleet = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HealthCheck hc = client.resource(healthCheck(namespace, "paced-" + i, freePort(),
                    tcpCheck("db", "postgres.shop.svc", 5432, false))).create();
            markDeploymentAvailable(client, hc, 1);
            fleet.add(hc);
        }
        for (HealthCheck hc : fleet) {
            await().until(() -> "True".equals(readyStatus(hc)));
        }
        String currentImage = image(fleet.get(0));

        // What an earlier release rendered for the same generations: another image, noted with another digest.
        clock.stop();
        for (HealthCheck hc : fleet) {
            client.apps().deployments().inNamespace(namespace).withName(SidecarNames.resourceName(hc)).edit(d -> {
                d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(EARLIER_IMAGE);
                d.getMetadata().getAnnotations().put(SidecarNames.RENDERED_HASH_ANNOTATION, "earlier");
                return d;
            });
            // Rolled out long ago, as an earlier release's Deployments are (no controller-manager here).
            markDeploymentAvailable(client, hc, 1);
        }

        // The clock stands: one turn has come, the first to ask took it, the other four say they wait.
        await().untilAsserted(() -> assertEquals("1 rolled, 4 queued", rolled(fleet, currentImage).size()
                + " rolled, " + queued(fleet).size() + " queued", () -> state(fleet)));
        for (HealthCheck waiting : queued(fleet)) {
            assertEquals(EARLIER_IMAGE, image(waiting));
            assertEquals("True", readyStatus(waiting), "waiting is no reason to be less ready");
            StatusCondition queuedCondition = condition(get(client, waiting), RolloutQueuedCondition.TYPE);
            assertEquals(RolloutQueuedCondition.REASON_OPERATOR_CHANGE, queuedCondition.getReason());
            assertTrue(queuedCondition.getMessage().contains("at most 60 per minute"), queuedCondition.getMessage());
        }

        // A change of a waiting one's spec is the user's: it rolls at once, turn or not.
        HealthCheck changed = get(client, queued(fleet).get(0));
        changed.getSpec().setChecks(List.of(tcpCheck("db", "postgres.shop.svc", 5433, false)));
        client.resource(changed).update();
        await().until(() -> currentImage.equals(image(changed))
                && condition(get(client, changed), RolloutQueuedCondition.TYPE) == null);
        assertEquals(2, rolled(fleet, currentImage).size());
        assertEquals(3, queued(fleet).size());

        // The next turns come: the rest follow, and no condition says they wait any more.
        clock.advance(Duration.ofSeconds(5));
        await().until(() -> rolled(fleet, currentImage).size() == 5 && queued(fleet).isEmpty());
    }

    /** Each HealthCheck's image and conditions, for a failure message. */
    private String state(List<HealthCheck> fleet) {
        return fleet.stream().map(hc -> hc.getMetadata().getName() + ": " + image(hc) + " "
                + get(client, hc).getStatus().getConditions()).toList().toString();
    }

    private List<HealthCheck> queued(List<HealthCheck> fleet) {
        return fleet.stream().filter(hc -> {
            StatusCondition queued = condition(get(client, hc), RolloutQueuedCondition.TYPE);
            return queued != null && "True".equals(queued.getStatus());
        }).toList();
    }

    private List<HealthCheck> rolled(List<HealthCheck> fleet, String image) {
        return fleet.stream().filter(hc -> image.equals(image(hc))).toList();
    }

    private String image(HealthCheck hc) {
        return deployment(client, hc).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    private String readyStatus(HealthCheck hc) {
        StatusCondition ready = condition(get(client, hc), ReadyCondition.TYPE);
        return ready == null ? null : ready.getStatus();
    }
}
