package dev.healthcheckoperator.clustertests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end on a real node (hack/local-cluster.sh with HC_NODE=real): everything as a user installs it with
 * kubectl, the operator from deploy/ as two pods polling the sidecars through Service DNS, the demo upstream of
 * examples/ and its HealthCheck (httpGet with a JSON assertion, tcpSocket, grpc), all running in containers. The
 * upstream is broken and healed through its own switch; the HealthCheck's status must follow.
 * <p>
 * Needs the operator and sidecar images in the local registry (make e2e builds and pushes them first). Prints the
 * nodes and the HealthChecks at the end.
 */
@Tag("e2e")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealNodeE2EIT {

    private static final Duration UP_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration ROLLOUT = Duration.ofMinutes(5);
    private static final String NAMESPACE = "demo";
    private static final String HEALTH_CHECK = "demo";
    private static final String OPERATOR_NAMESPACE = "healthcheck-operator";
    // The demo HealthCheck: failureThreshold 2 x periodSeconds 5, then the operator's 15 s poll interval
    // (deploy/deployment.yaml). The bound is generous: a busy machine, JVM pods, image pulls done already.
    private static final Duration FOLLOWS_UPSTREAM = Duration.ofSeconds(2 * 5 + 15).multipliedBy(4);

    private static Path repoRoot;
    private static Path clusterDirectory;
    private static Kubectl kubectl;

    @BeforeAll
    static void startRealNode() {
        repoRoot = LocalCluster.findRepoRoot();
        Path runDirectory = Path.of(System.getProperty("cluster-tests.work-dir",
                repoRoot.resolve("cluster-tests/target/cluster-tests").toString()))
                .resolve("e2e-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        clusterDirectory = runDirectory.resolve("cluster");
        createDirectories(clusterDirectory);
        cluster(UP_TIMEOUT, "up");
        String bin = script(Duration.ofMinutes(1), "build-control-plane.sh", "--print-bin-dir").stdout().strip();
        kubectl = new Kubectl(Path.of(bin, "kubectl"), clusterDirectory.resolve("kubeconfig"), repoRoot);
    }

    @AfterAll
    static void printAndPurge() {
        if (kubectl != null) {
            for (List<String> command : List.of(List.of("get", "nodes", "-o", "wide"),
                    List.of("get", "hc", "-A", "-o", "wide"))) {
                Command.Result result = kubectl.run(command.toArray(String[]::new));
                System.out.printf("%n$ kubectl %s%n%s%s", String.join(" ", command), result.stdout(), result.stderr());
            }
        }
        if (clusterDirectory != null) {
            Command.Result purge = script(Duration.ofMinutes(3), "local-cluster.sh", "purge");
            if (!purge.succeeded()) {
                System.err.println(purge.describe());
            }
        }
    }

    @Test
    @Order(1)
    void theNodeIsARealKubelet() {
        String kubelet = kubectl.ok("get", "nodes", "-o", "jsonpath={.items[*].status.nodeInfo.kubeletVersion}");
        String runtime = kubectl.ok("get", "nodes", "-o",
                "jsonpath={.items[*].status.nodeInfo.containerRuntimeVersion}");
        assertThat(kubelet).as("kubelet version").startsWith("v1.");
        assertThat(runtime).as("container runtime").startsWith("containerd://");
        assertThat(kubectl.ok("get", "nodes", "-o", "name")).as("the only node")
                .isEqualTo("node/local-node\n");
    }

    @Test
    @Order(2)
    void theOperatorRunsFromDeploy() {
        kubectl.ok("apply", "-k", repoRoot.resolve("deploy").toString());
        kubectl.ok("-n", OPERATOR_NAMESPACE, "rollout", "status", "deployment/healthcheck-operator",
                "--timeout=" + ROLLOUT.toSeconds() + "s");
        assertThat(kubectl.ok("-n", OPERATOR_NAMESPACE, "get", "deployment/healthcheck-operator", "-o",
                "jsonpath={.status.readyReplicas}")).isEqualTo("2");
    }

    @Test
    @Order(3)
    void theDemoUpstreamIsHealthy() {
        kubectl.ok("apply", "-f", repoRoot.resolve("examples/demo-upstream").toString(), "-f",
                repoRoot.resolve("examples/demo.yaml").toString());
        kubectl.ok("-n", NAMESPACE, "rollout", "status", "deployment/demo-upstream",
                "--timeout=" + ROLLOUT.toSeconds() + "s");
        awaitStatus("Ready", "True", ROLLOUT);
        awaitHealth(ROLLOUT, "Healthy");
        assertThat(readyReplicas()).as("the sidecar pods the kubelet reports ready").isEqualTo("1");
    }

    @Test
    @Order(4)
    void aBrokenUpstreamTurnsItUnhealthy() {
        switchUpstream("break");
        long start = System.nanoTime();
        awaitHealth(FOLLOWS_UPSTREAM, "Unhealthy", "Degraded");
        System.out.printf("broken upstream seen after %d s%n", Duration.ofNanos(System.nanoTime() - start).toSeconds());
        assertThat(kubectl.ok("-n", NAMESPACE, "get", "hc", HEALTH_CHECK, "-o", "jsonpath={.status.health}"))
                .as("both critical checks (http, grpc) fail").isEqualTo("Unhealthy");
    }

    @Test
    @Order(5)
    void aHealedUpstreamTurnsItHealthyAgain() {
        switchUpstream("heal");
        long start = System.nanoTime();
        awaitHealth(FOLLOWS_UPSTREAM, "Healthy");
        System.out.printf("healed upstream seen after %d s%n", Duration.ofNanos(System.nanoTime() - start).toSeconds());
        awaitStatus("Ready", "True", ROLLOUT);
    }

    /** POST /break or /heal to the demo pod, through the API server's pod proxy (the pod IP is on the bridge). */
    private static void switchUpstream(String action) {
        String pod = kubectl.ok("-n", NAMESPACE, "get", "pods", "-l", "app.kubernetes.io/name=demo-upstream", "-o",
                "jsonpath={.items[0].metadata.name}");
        kubectl.runWithInput("", "create", "--raw",
                "/api/v1/namespaces/" + NAMESPACE + "/pods/" + pod + ":8080/proxy/" + action, "-f", "-").orThrow();
    }

    private static String readyReplicas() {
        return kubectl.ok("-n", NAMESPACE, "get", "hc", HEALTH_CHECK, "-o", "jsonpath={.status.readyReplicas}");
    }

    private static void awaitStatus(String condition, String status, Duration timeout) {
        String jsonPath = "jsonpath={.status.conditions[?(@.type==\"" + condition + "\")].status}";
        await(condition + "=" + status).atMost(timeout).pollInterval(Duration.ofSeconds(2))
                .until(() -> kubectl.run("-n", NAMESPACE, "get", "hc", HEALTH_CHECK, "-o", jsonPath).stdout(),
                        status::equals);
    }

    private static void awaitHealth(Duration timeout, String... expected) {
        try {
            await("health " + String.join(" or ", expected)).atMost(timeout).pollInterval(Duration.ofSeconds(1))
                    .until(() -> kubectl.run("-n", NAMESPACE, "get", "hc", HEALTH_CHECK, "-o",
                            "jsonpath={.status.health}").stdout(), health -> List.of(expected).contains(health));
        } catch (RuntimeException e) {
            throw new AssertionError("health did not become " + String.join(" or ", expected) + "; the HealthCheck:\n"
                    + kubectl.run("-n", NAMESPACE, "get", "hc", HEALTH_CHECK, "-o", "yaml").stdout()
                    + "\npods:\n" + kubectl.run("get", "pods", "-A", "-o", "wide").stdout(), e);
        }
    }

    private static void cluster(Duration timeout, String command) {
        script(timeout, "local-cluster.sh", command).orThrow();
    }

    private static Command.Result script(Duration timeout, String name, String... arguments) {
        List<String> command = Command.args(repoRoot.resolve("hack").resolve(name).toString(), arguments);
        return Command.run(repoRoot, Map.of("HC_CLUSTER_DIR", clusterDirectory.toString(), "HC_NODE", "real"),
                timeout, null, command);
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
