package dev.healthcheckoperator.clustertests;

import java.util.List;
import java.util.regex.Pattern;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator runs with a token of its ServiceAccount and only the RBAC of deploy/: everything the other tests see
 * it do, that RBAC allowed. Here: it gets nothing beyond what it needs, and it never runs into a refusal.
 */
@ClusterTest
class RbacIT {

    private static final Pattern REFUSAL = Pattern.compile("(?i)\\bforbidden\\b|\\b403\\b");
    private static final String OWN = LocalCluster.OPERATOR_NAMESPACE;

    /** {@code kubectl auth can-i} with the operator's own kubeconfig. */
    @Test
    void operatorServiceAccountHasLeastPrivilege(LocalCluster cluster) {
        String user = cluster.createNamespace("rbac");
        Kubectl operator = cluster.operatorKubectl();
        SoftAssertions softly = new SoftAssertions();
        for (List<String> allowed : List.of(
                List.of("list", "healthchecks.healthcheck-operator.dev", "--all-namespaces"),
                List.of("watch", "healthchecks.healthcheck-operator.dev", "--all-namespaces"),
                List.of("patch", "healthchecks.healthcheck-operator.dev", "--subresource=status", "-n", user),
                List.of("watch", "deployments.apps", "--all-namespaces"),
                List.of("create", "deployments.apps", "-n", user),
                List.of("patch", "services", "-n", user),
                // An account an earlier release made for a HealthCheck is deleted by name.
                List.of("get", "serviceaccounts", "-n", user),
                List.of("delete", "serviceaccounts", "-n", user),
                List.of("create", "events.events.k8s.io", "-n", user),
                List.of("patch", "events.events.k8s.io", "-n", user),
                // Sidecar pods are read to explain a rollout; an earlier release's checks-file ConfigMaps are
                // listed and deleted.
                List.of("watch", "pods", "--all-namespaces"),
                List.of("list", "configmaps", "-n", user),
                List.of("delete", "configmaps", "-n", user),
                // Secrets a check names are got by name (SecretNotFound); never listed or watched.
                List.of("get", "secrets", "--all-namespaces"),
                List.of("get", "secrets", "-n", user),
                // The leader-election Lease: fabric8's LeaderElector creates it, then renews it with PATCH.
                List.of("get", "leases.coordination.k8s.io", "-n", OWN),
                List.of("create", "leases.coordination.k8s.io", "-n", OWN),
                List.of("patch", "leases.coordination.k8s.io", "-n", OWN))) {
            softly.assertThat(operator.canI(allowed.toArray(String[]::new))).as("can-i %s", allowed).isTrue();
        }
        for (List<String> denied : List.of(
                List.of("list", "secrets", "--all-namespaces"),
                List.of("watch", "secrets", "--all-namespaces"),
                List.of("list", "secrets", "-n", user),
                List.of("list", "secrets", "-n", OWN),
                List.of("create", "secrets", "-n", user),
                List.of("update", "secrets", "-n", user),
                List.of("delete", "namespaces"),
                List.of("create", "namespaces"),
                // Owned objects go with their HealthCheck through the garbage collector.
                List.of("delete", "deployments.apps", "-n", user),
                List.of("delete", "services", "-n", user),
                // The checks file is in the sidecar pod template: no ConfigMap is made or watched.
                List.of("create", "configmaps", "-n", user),
                List.of("watch", "configmaps", "--all-namespaces"),
                List.of("get", "pods/log", "-n", user),
                List.of("create", "pods/exec", "-n", user),
                // HealthChecks are the users'; the operator reads them and writes their status.
                List.of("create", "healthchecks.healthcheck-operator.dev", "-n", user),
                List.of("delete", "healthchecks.healthcheck-operator.dev", "-n", user),
                List.of("update", "healthchecks.healthcheck-operator.dev", "-n", user),
                // CRDs are installed with the operator, not by it.
                List.of("get", "customresourcedefinitions.apiextensions.k8s.io"),
                List.of("create", "customresourcedefinitions.apiextensions.k8s.io"),
                // Other groups' custom resources.
                List.of("list", "widgets.example.com", "--all-namespaces"),
                List.of("create", "pods", "-n", user),
                List.of("create", "leases.coordination.k8s.io", "-n", "kube-system"),
                List.of("create", "clusterrolebindings.rbac.authorization.k8s.io"),
                List.of("impersonate", "serviceaccounts", "-n", user),
                // The sidecars run as the namespace's default account: the operator makes none.
                List.of("create", "serviceaccounts", "-n", user),
                List.of("list", "serviceaccounts", "-n", user),
                List.of("*", "*", "--all-namespaces"))) {
            softly.assertThat(operator.canI(denied.toArray(String[]::new))).as("can-i %s", denied).isFalse();
        }
        softly.assertAll();
    }

    /** A HealthCheck's whole life (create, scale, delete) under the operator: no refusal on the way. */
    @Test
    void operatorNeverRunsIntoARefusal(LocalCluster cluster) {
        String namespace = cluster.createNamespace("rbac-log");
        long logStart = cluster.operator().logPosition();

        cluster.kubectl().apply(HealthChecks.manifest(namespace, "billing", 1));
        HealthChecks.awaitReady(cluster, namespace, "billing", 1);
        cluster.kubectl().ok("patch", "healthcheck", "billing", "-n", namespace, "--type=merge",
                "-p", "{\"spec\":{\"replicas\":2}}");
        HealthChecks.awaitReady(cluster, namespace, "billing", 2);
        cluster.kubectl().ok("delete", "healthcheck", "billing", "-n", namespace);
        HealthChecks.awaitGone(cluster, namespace, "billing");

        List<String> refusals = cluster.operator().logSince(logStart).lines()
                .filter(line -> REFUSAL.matcher(line).find()).limit(5).toList();
        assertThat(refusals).as("403/Forbidden in %s", cluster.operator().log()).isEmpty();
    }
}
