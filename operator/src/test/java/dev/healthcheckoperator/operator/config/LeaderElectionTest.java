package dev.healthcheckoperator.operator.config;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.await;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.deployment;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.get;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.KubeApiServerResource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With leader election on (as in production), a replica works only while it holds the Lease: here the Lease is
 * first held by another replica, and the operator under test starts reconciling once that replica lets it go.
 */
@QuarkusTest
@TestProfile(LeaderElectionTest.LeaderElectionProfile.class)
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = false)
class LeaderElectionTest {

    static final String OTHER_REPLICA = "other-replica";
    final KubernetesClient client = ControlPlane.admin();

    @Test
    void onlyTheLeaseHolderReconciles() throws Exception {
        String namespace = ControlPlane.createNamespace(client, "leader");
        HealthCheck hc = client.resource(healthCheck(namespace, "standby", 8080,
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();

        // The operator retries to acquire the Lease every 2 seconds: through several of its chances to (wrongly)
        // work, the other replica keeps the Lease and nothing is reconciled.
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(30)).until(() ->
                OTHER_REPLICA.equals(lease().getSpec().getHolderIdentity()) && deployment(client, hc) == null
                        && get(client, hc).getStatus() == null);

        client.resource(lease()).delete();

        await().until(() -> deployment(client, hc) != null);
        await().until(() -> get(client, hc).getStatus() != null);
        Lease held = lease();
        assertNotEquals(OTHER_REPLICA, held.getSpec().getHolderIdentity());
        // The leader keeps its Lease: it renews it (every retry period, 2 seconds) with the rights of deploy/.
        await().until(() -> lease().getSpec().getRenewTime().isAfter(held.getSpec().getRenewTime()));
        assertEquals(held.getSpec().getHolderIdentity(), lease().getSpec().getHolderIdentity());
    }

    private Lease lease() {
        return client.leases().inNamespace(HeldLease.NAMESPACE).withName(LeaderElection.LEASE_NAME).get();
    }

    public static class LeaderElectionProfile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.operator-sdk.activate-leader-election-for-profiles", "test",
                    "healthcheck.leader-election.exit-on-stop-leading", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(HeldLease.class));
        }
    }

    /** Before the operator starts, another replica holds the Lease (and renews it for an hour). */
    public static class HeldLease implements QuarkusTestResourceLifecycleManager {

        static final String NAMESPACE = "healthcheck-operator";

        @Override
        public Map<String, String> start() {
            KubernetesClient admin = ControlPlane.admin();
            ControlPlane.applyDeployManifest(admin, "namespace.yaml");
            admin.resource(new LeaseBuilder().withNewMetadata().withName(LeaderElection.LEASE_NAME)
                    .withNamespace(NAMESPACE).endMetadata()
                    .withNewSpec().withHolderIdentity(OTHER_REPLICA).withLeaseDurationSeconds(3600)
                    // fabric8's elector judges a Lease by its own lease duration (15 s) from renewTime, not by
                    // leaseDurationSeconds: a renewTime an hour ahead keeps the Lease held however slowly Quarkus
                    // starts on a loaded machine.
                    .withAcquireTime(ZonedDateTime.now()).withRenewTime(ZonedDateTime.now().plusHours(1)).endSpec()
                    .build())
                    .createOr(existing -> existing.update());
            return Map.of();
        }

        @Override
        public void stop() {
            // The Lease goes with the API server.
        }
    }
}
