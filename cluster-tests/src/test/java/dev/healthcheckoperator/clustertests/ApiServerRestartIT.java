package dev.healthcheckoperator.clustertests;

import org.junit.jupiter.api.Test;

/**
 * The kube-apiserver dies under the running operator (SIGKILL) and comes back (hack/local-cluster.sh up). The
 * operator may lose its Lease meanwhile and exit by design; it is then started again as its pod would be. Either
 * way, what changed after the outage is reconciled.
 */
@ClusterTest(operatorMayExit = true)
class ApiServerRestartIT {

    @Test
    void operatorConvergesAfterTheApiServerCameBack(LocalCluster cluster) throws InterruptedException {
        String namespace = cluster.createNamespace("apiserver-restart");
        cluster.kubectl().apply(HealthChecks.manifest(namespace, "existing", 1));
        HealthChecks.awaitReady(cluster, namespace, "existing", 1);

        long killed = System.nanoTime();
        cluster.killApiServer();
        cluster.up();
        long up = System.nanoTime();

        cluster.kubectl().apply(HealthChecks.manifest(namespace, "created-after", 1));
        cluster.kubectl().ok("patch", "healthcheck", "existing", "-n", namespace, "--type=merge",
                "-p", "{\"spec\":{\"replicas\":2}}");

        HealthChecks.awaitReady(cluster, namespace, "existing", 2);
        HealthChecks.awaitReady(cluster, namespace, "created-after", 1);
        System.out.printf("kube-apiserver killed; control plane up again after %d s, converged %d s later; "
                + "operator exits so far: %s%n", (up - killed) / 1_000_000_000, (System.nanoTime() - up) / 1_000_000_000,
                cluster.operator().unrequestedExits());
        cluster.awaitOperatorReady();
    }
}
