package dev.healthcheckoperator.clustertests;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code helm install} of charts/healthcheck-operator with namespaced RBAC: the chart's objects exist, its
 * ServiceAccount has rights in the watched namespace and none in another, and the operator, run with that
 * ServiceAccount's token and the watch configuration of the installed Deployment, reconciles a HealthCheck in the
 * watched namespace and leaves one elsewhere alone. kwok runs no container, so the operator runs as a process here, as
 * the cluster's own operator does; that one is stopped meanwhile, since it watches every namespace.
 */
@ClusterTest
class HelmInstallIT {

    private static final String RELEASE = "hc";
    private static final String FULLNAME = "hc-healthcheck-operator";
    private static final String WATCH_NAMESPACES_ENV = "QUARKUS_OPERATOR_SDK_CONTROLLERS_HEALTHCHECK_NAMESPACES";
    private static final Duration HELM_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(30);
    private static final Pattern REFUSAL = Pattern.compile("(?i)\\bforbidden\\b|\\b403\\b");

    @Test
    void namespacedInstallWatchesOnlyItsNamespaces(LocalCluster cluster) throws Exception {
        String releaseNamespace = cluster.createNamespace("helm");
        String watched = cluster.createNamespace("helm-watched");
        String other = cluster.createNamespace("helm-other");
        Path helm = Path.of(Command.run(cluster.repoRoot(), Map.of(), BUILD_TIMEOUT, null,
                List.of(cluster.repoRoot().resolve("hack/build-helm.sh").toString(), "--path", "helm"))
                .orThrow().stdout().strip());

        helm(cluster, helm, "install", RELEASE, cluster.repoRoot().resolve("charts/healthcheck-operator").toString(),
                "--namespace", releaseNamespace, "--set", "rbac.scope=namespaced",
                "--set", "watchNamespaces={" + watched + "}", "--timeout", "60s");
        try {
            assertInstalledObjects(cluster, releaseNamespace, watched);
            assertServiceAccountRights(cluster, releaseNamespace, watched, other);
            assertOperatorIgnoresOtherNamespaces(cluster, releaseNamespace, watched, other);
        } finally {
            helm(cluster, helm, "uninstall", RELEASE, "--namespace", releaseNamespace);
            cluster.kubectl().ok("delete", "namespace", releaseNamespace, watched, other, "--wait=false");
        }
    }

    private static void assertInstalledObjects(LocalCluster cluster, String releaseNamespace, String watched) {
        Kubectl kubectl = cluster.kubectl();
        for (String object : List.of("deployment", "serviceaccount", "service", "poddisruptionbudget",
                "networkpolicy")) {
            kubectl.ok("get", object, FULLNAME, "-n", releaseNamespace);
        }
        kubectl.ok("get", "role,rolebinding", FULLNAME + "-leader-election", "-n", releaseNamespace);
        kubectl.ok("get", "role,rolebinding", FULLNAME, "-n", watched);
        assertThat(kubectl.run("get", "clusterrole", FULLNAME).exitCode())
                .as("namespaced RBAC installs no ClusterRole").isNotZero();
        assertThat(kubectl.run("get", "clusterrolebinding", FULLNAME).exitCode())
                .as("namespaced RBAC installs no ClusterRoleBinding").isNotZero();
        assertThat(kubectl.run("get", "role", FULLNAME, "-n", releaseNamespace).exitCode())
                .as("no HealthCheck rights in the release namespace, which is not watched").isNotZero();
    }

    /** {@code kubectl auth can-i --as} the chart's ServiceAccount, asked by the admin. */
    private static void assertServiceAccountRights(LocalCluster cluster, String releaseNamespace, String watched,
            String other) {
        String as = "--as=system:serviceaccount:" + releaseNamespace + ":" + FULLNAME;
        String healthChecks = "healthchecks.healthcheck-operator.dev";
        SoftAssertions softly = new SoftAssertions();
        for (List<String> allowed : List.of(
                List.of("list", healthChecks, "-n", watched),
                List.of("watch", healthChecks, "-n", watched),
                List.of("patch", healthChecks, "--subresource=status", "-n", watched),
                List.of("create", "deployments.apps", "-n", watched),
                List.of("create", "events.events.k8s.io", "-n", watched),
                List.of("create", "leases.coordination.k8s.io", "-n", releaseNamespace),
                List.of("get", "secrets", "-n", watched),
                List.of("create", "tokenreviews.authentication.k8s.io"),
                List.of("create", "subjectaccessreviews.authorization.k8s.io"))) {
            softly.assertThat(cluster.kubectl().canI(args(allowed, as))).as("can-i %s", allowed).isTrue();
        }
        for (List<String> denied : List.of(
                List.of("list", healthChecks, "-n", other),
                List.of("list", healthChecks, "--all-namespaces"),
                List.of("list", healthChecks, "-n", releaseNamespace),
                List.of("patch", healthChecks, "--subresource=status", "-n", other),
                List.of("create", "deployments.apps", "-n", other),
                List.of("list", "configmaps", "-n", other),
                List.of("create", "leases.coordination.k8s.io", "-n", watched),
                List.of("list", "secrets", "-n", watched),
                List.of("get", "secrets", "-n", other))) {
            softly.assertThat(cluster.kubectl().canI(args(denied, as))).as("can-i %s", denied).isFalse();
        }
        softly.assertAll();
    }

    private static void assertOperatorIgnoresOtherNamespaces(LocalCluster cluster, String releaseNamespace,
            String watched, String other) {
        Deployment installed = cluster.client().apps().deployments().inNamespace(releaseNamespace)
                .withName(FULLNAME).get();
        Map<String, String> chartEnv = new HashMap<>();
        for (EnvVar env : installed.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            if (env.getValue() != null) {
                chartEnv.put(env.getName(), env.getValue());
            }
        }
        assertThat(chartEnv).containsEntry(WATCH_NAMESPACES_ENV, watched);

        Map<String, String> environment = new HashMap<>();
        environment.put(WATCH_NAMESPACES_ENV, chartEnv.get(WATCH_NAMESPACES_ENV));
        // The pod's namespace (a fieldRef in the chart): where the Lease lives.
        environment.put("KUBERNETES_NAMESPACE", releaseNamespace);
        environment.put("KUBECONFIG", cluster.writeServiceAccountKubeconfig(releaseNamespace, FULLNAME,
                cluster.runDirectory().resolve("helm-operator.kubeconfig")).toString());
        // As for the cluster's operator: no sidecar runs on kwok, so poll where nothing listens.
        environment.put("HEALTHCHECK_POLL_MODE", "direct");
        environment.put("HEALTHCHECK_POLL_DIRECT_URL_TEMPLATE", "http://127.0.0.1:9/health");
        OperatorProcess operator = new OperatorProcess(cluster.operatorJar(), environment, cluster.runDirectory(),
                cluster.runDirectory().resolve("helm-operator.log"));

        cluster.operator().stop();
        try {
            // The one outside first: by the time the watched one is reconciled, the other would have been too.
            cluster.kubectl().apply(HealthChecks.manifest(other, "outside", 1));
            operator.start();
            await("operator of the chart ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(operator::ready);
            cluster.kubectl().apply(HealthChecks.manifest(watched, "inside", 1));
            HealthChecks.awaitReady(cluster, watched, "inside", 1);

            assertThat(HealthChecks.status(HealthChecks.get(cluster, other, "outside")))
                    .as("status of the HealthCheck outside the watched namespaces").isEmpty();
            assertThat(cluster.client().apps().deployments().inNamespace(other).withLabel("app.kubernetes.io/managed-by",
                    "healthcheck-operator").list().getItems()).as("sidecars outside the watched namespaces").isEmpty();
            assertThat(cluster.client().leases().inNamespace(releaseNamespace).withName("healthcheck-operator-leader")
                    .get()).as("the Lease in the release namespace").isNotNull();
            List<String> refusals = operator.logText().lines().filter(line -> REFUSAL.matcher(line).find())
                    .limit(5).toList();
            assertThat(refusals).as("403/Forbidden in %s", operator.log()).isEmpty();
            assertThat(operator.unrequestedExits()).as("exits of the chart's operator").isEmpty();

            cluster.kubectl().ok("delete", "healthcheck", "inside", "-n", watched);
            cluster.kubectl().ok("delete", "healthcheck", "outside", "-n", other);
        } finally {
            operator.stop();
            cluster.operator().start();
            cluster.awaitOperatorReady();
        }
    }

    private static void helm(LocalCluster cluster, Path helm, String... arguments) {
        List<String> command = Command.args(helm.toString(), arguments);
        command.add("--kubeconfig=" + cluster.kubeconfig());
        Command.run(cluster.repoRoot(), Map.of(), HELM_TIMEOUT, null, command).orThrow();
    }

    private static String[] args(List<String> canI, String as) {
        List<String> all = new ArrayList<>(canI);
        all.add(as);
        return all.toArray(String[]::new);
    }
}
