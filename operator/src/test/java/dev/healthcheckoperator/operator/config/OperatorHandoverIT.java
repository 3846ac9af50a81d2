package dev.healthcheckoperator.operator.config;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.get;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.markDeploymentAvailable;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.OperatorReplica;
import dev.healthcheckoperator.operator.testsupport.StatusWrites;
import dev.healthcheckoperator.operator.testsupport.StubSidecar;
import dev.healthcheckoperator.operator.testsupport.TestHealthChecks;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Two replicas of the packaged operator against a real API server, with 10 healthy HealthChecks whose sidecars
 * never change their answer. Killing the leader, restarting the new one, and taking its Lease away must each
 * change nothing on the HealthChecks: no status write, no Event (both counted exactly), until something does
 * change, which is then written once.
 */
class OperatorHandoverIT {

    static final int COUNT = 10;
    static final String LEASE_NAMESPACE = "healthcheck-operator";

    final KubernetesClient client = ControlPlane.admin();
    final List<StubSidecar> sidecars = new ArrayList<>();
    final List<HealthCheck> healthChecks = new ArrayList<>();
    final List<OperatorReplica> replicas = new ArrayList<>();
    String namespace;

    @BeforeAll
    static void install() {
        OperatorReplica.install(ControlPlane.admin());
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        for (OperatorReplica replica : replicas) {
            replica.close();
        }
        sidecars.forEach(StubSidecar::close);
    }

    @Test
    void handoverRestartAndALostLeaseChangeNothingThatDidNotChange() throws Exception {
        namespace = ControlPlane.createNamespace(client, "handover");
        OperatorReplica first = replica("replica-a");
        for (int i = 0; i < COUNT; i++) {
            StubSidecar sidecar = new StubSidecar();
            sidecar.answer("ok", "api:ok:critical", "cache:ok");
            sidecars.add(sidecar);
            HealthCheck hc = client.resource(healthCheck(namespace, "service-" + i, sidecar.port(),
                    tcpCheck("api", "api.shop.svc", 8080, true), tcpCheck("cache", "cache.shop.svc", 6379, false)))
                    .create();
            healthChecks.add(hc);
        }
        for (HealthCheck hc : healthChecks) {
            slow().ignoreExceptions().untilAsserted(() -> markDeploymentAvailable(client, hc, 1));
        }
        for (HealthCheck hc : healthChecks) {
            slow().until(() -> health(hc) == Health.Healthy);
        }
        assertEquals(first.identity(), leaseHolder());
        OperatorReplica second = replica("replica-b");
        slow().until(second::live);
        awaitPollsOfEverySidecar(2);

        try (StatusWrites writes = new StatusWrites(client, namespace)) {
            int events = events();

            // The leader dies; the standby takes the Lease over (once the Lease expires) and polls everything.
            first.kill();
            slow().until(() -> second.identity().equals(leaseHolder()));
            awaitPollsOfEverySidecar(3);
            assertEquals(List.of(), writes.all(), "status writes across the handover");
            assertEquals(events, events(), "Events across the handover");

            // A restart: SIGTERM, as a rollout does, and a new replica.
            second.close();
            OperatorReplica third = replica("replica-c");
            slow().until(() -> third.identity().equals(leaseHolder()));
            awaitPollsOfEverySidecar(3);
            assertEquals(List.of(), writes.all(), "status writes across the restart");
            assertEquals(events, events(), "Events across the restart");

            // What does change is written, once, with one Event: the counts above could have seen writes.
            sidecars.get(0).answer("down", "api:failing:critical", "cache:ok");
            slow().until(() -> health(healthChecks.get(0)) == Health.Unhealthy);
            awaitPollsOfEverySidecar(2);
            assertEquals(1, writes.all().size(), "writes: " + writes.all());
            assertEquals(events + 1, events());

            // The Lease taken away: with the shipped setting the replica exits (its pod restarts as a standby).
            takeLease("intruder");
            slow().until(() -> !third.process().isAlive());
            assertNotEquals(0, third.process().exitValue());
            assertEquals(1, writes.all().size(), "writes after the lost Lease: " + writes.all());
        }
    }

    private OperatorReplica replica(String identity) {
        OperatorReplica replica = OperatorReplica.start(identity, client);
        replicas.add(replica);
        return replica;
    }

    private void awaitPollsOfEverySidecar(int more) {
        List<Integer> from = sidecars.stream().map(StubSidecar::polls).toList();
        for (int i = 0; i < sidecars.size(); i++) {
            StubSidecar sidecar = sidecars.get(i);
            int start = from.get(i);
            slow().until(() -> sidecar.polls() >= start + more);
        }
    }

    private Health health(HealthCheck hc) {
        HealthCheck current = get(client, hc);
        return current == null || current.getStatus() == null ? null : current.getStatus().getHealth();
    }

    /** Every occurrence of every Event in the namespace: a repeat counted into an Event's series counts too. */
    private int events() {
        return client.events().v1().events().inNamespace(namespace).list().getItems().stream()
                .mapToInt(TestHealthChecks::occurrences).sum();
    }

    private String leaseHolder() {
        Lease lease = client.leases().inNamespace(LEASE_NAMESPACE).withName(LeaderElection.LEASE_NAME).get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    /**
     * Takes the Lease as another elector would: read, change, write against the read resourceVersion, and read
     * again when the leader's renewal came in between (409 Conflict).
     */
    private void takeLease(String holder) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.leases().inNamespace(LEASE_NAMESPACE).withName(LeaderElection.LEASE_NAME).edit(lease -> {
                    lease.getSpec().setHolderIdentity(holder);
                    lease.getSpec().setLeaseDurationSeconds(3600);
                    lease.getSpec().setAcquireTime(ZonedDateTime.now());
                    lease.getSpec().setRenewTime(ZonedDateTime.now());
                    return lease;
                });
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** A Lease of 15 s has to expire before a standby takes over; JVMs start slowly on a busy machine. */
    private static ConditionFactory slow() {
        return Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250));
    }
}
