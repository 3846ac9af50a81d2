package dev.healthcheckoperator.clustertests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end on a real node (hack/local-cluster.sh with HC_NODE=real): everything as a user installs it, the operator
 * from the Helm chart as two pods polling the sidecars through Service DNS, the demo upstream of
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
    /** The sidecars' pull secret, the chart's sidecarImage.pullSecrets (the local registry asks for no login). */
    private static final String PULL_SECRET = "e2e-registry";
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

    /**
     * The chart's own Deployment, as {@code helm install} with the defaults creates it (deploy/ installs the same
     * operator; make chart-check compares the two renderings, KustomizationTest applies deploy/), with the sidecars'
     * pull secret set.
     */
    @Test
    @Order(2)
    void theOperatorRunsFromTheChart() {
        Path helm = Path.of(script(Duration.ofMinutes(30), "build-helm.sh", "--path", "helm").orThrow().stdout()
                .strip());
        Command.run(repoRoot, Map.of("KUBECONFIG", clusterDirectory.resolve("kubeconfig").toString()), ROLLOUT, null,
                List.of(helm.toString(), "install", "healthcheck-operator",
                        repoRoot.resolve("charts/healthcheck-operator").toString(), "--namespace", OPERATOR_NAMESPACE,
                        "--create-namespace", "--set", "sidecarImage.pullSecrets[0].name=" + PULL_SECRET)).orThrow();
        kubectl.ok("-n", OPERATOR_NAMESPACE, "rollout", "status", "deployment/healthcheck-operator",
                "--timeout=" + ROLLOUT.toSeconds() + "s");
        assertThat(kubectl.ok("-n", OPERATOR_NAMESPACE, "get", "deployment/healthcheck-operator", "-o",
                "jsonpath={.status.readyReplicas}")).isEqualTo("2");
        assertThat(kubectl.ok("-n", OPERATOR_NAMESPACE, "get", "deployment/healthcheck-operator", "-o",
                "jsonpath={.metadata.labels.app\\.kubernetes\\.io/managed-by}")).as("installed by").isEqualTo("Helm");
    }

    @Test
    @Order(3)
    void theDemoUpstreamIsHealthy() {
        kubectl.ok("apply", "-f", repoRoot.resolve("examples/demo-upstream").toString());
        kubectl.ok("-n", NAMESPACE, "create", "secret", "docker-registry", PULL_SECRET,
                "--docker-server=127.0.0.1:5000", "--docker-username=e2e", "--docker-password=e2e");
        kubectl.ok("apply", "-f", repoRoot.resolve("examples/demo.yaml").toString());
        kubectl.ok("-n", NAMESPACE, "rollout", "status", "deployment/demo-upstream",
                "--timeout=" + ROLLOUT.toSeconds() + "s");
        awaitStatus("Ready", "True", ROLLOUT);
        awaitHealth(ROLLOUT, "Healthy");
        assertThat(readyReplicas()).as("the sidecar pods the kubelet reports ready").isEqualTo("1");

        String pod = sidecarPods().get(0);
        assertThat(kubectl.ok("-n", NAMESPACE, "get", "pod", pod, "-o", "jsonpath={.spec.imagePullSecrets[*].name}"))
                .as("the running sidecar pod's pull secrets (the chart's sidecarImage.pullSecrets)")
                .isEqualTo(PULL_SECRET);
        assertThat(kubectl.ok("-n", NAMESPACE, "get", "events", "--field-selector",
                "involvedObject.name=" + pod + ",reason=FailedToRetrieveImagePullSecret", "-o", "name"))
                .as("the kubelet found the pull secret in the HealthCheck's namespace").isEmpty();
        // The work was done by a pod of the chart's Deployment: the leader (JOSDK names it by its host name, the
        // pod's name) is one of them.
        String leader = kubectl.ok("-n", OPERATOR_NAMESPACE, "get", "lease", "healthcheck-operator-leader", "-o",
                "jsonpath={.spec.holderIdentity}");
        assertThat(kubectl.ok("-n", OPERATOR_NAMESPACE, "get", "pods", "-l",
                "app.kubernetes.io/instance=healthcheck-operator,app.kubernetes.io/managed-by=Helm", "-o",
                "jsonpath={.items[*].metadata.name}").split(" ")).as("the chart's operator pods").contains(leader);
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

    /**
     * The other poll mode against the same real pods: the operator outside the cluster (as {@code make run} starts
     * it), reading the sidecars through the API server's service proxy while the in-cluster replicas are scaled
     * away.
     */
    @Test
    @Order(6)
    void fromOutsideThroughTheApiServerProxy() {
        kubectl.ok("-n", OPERATOR_NAMESPACE, "scale", "deployment/healthcheck-operator", "--replicas=0");
        await("the operator pods gone").atMost(ROLLOUT).pollInterval(Duration.ofSeconds(2))
                .until(() -> kubectl.ok("-n", OPERATOR_NAMESPACE, "get", "pods", "-o", "name"), String::isEmpty);
        Path jar = repoRoot.resolve("operator/target/quarkus-app/quarkus-run.jar");
        assertThat(jar).as("the packaged operator (mvn -pl operator -am package)").isRegularFile();
        OperatorProcess outside = new OperatorProcess(jar, Map.of(
                "KUBECONFIG", clusterDirectory.resolve("kubeconfig").toString(),
                // The Lease of the in-cluster replicas: the one outside takes over the work from them.
                "KUBERNETES_NAMESPACE", OPERATOR_NAMESPACE,
                "HEALTHCHECK_LEADER_ELECTION_LEASE_NAMESPACE", OPERATOR_NAMESPACE,
                "QUARKUS_OPERATOR_SDK_CONTROLLERS_HEALTHCHECK_NAMESPACES", "JOSDK_ALL_NAMESPACES",
                // As the chart sets it: the same pod template, so the handover rolls no sidecar.
                "HEALTHCHECK_SIDECAR_IMAGE_PULL_SECRETS", PULL_SECRET,
                "HEALTHCHECK_POLL_MODE", "api-server-proxy"),
                clusterDirectory.getParent(), clusterDirectory.resolveSibling("operator-outside.log"));
        outside.start();
        try {
            await("the operator outside ready").atMost(ROLLOUT).pollInterval(Duration.ofSeconds(1))
                    .until(outside::ready);
            switchUpstream("break");
            awaitHealth(FOLLOWS_UPSTREAM, "Unhealthy");
            switchUpstream("heal");
            awaitHealth(FOLLOWS_UPSTREAM, "Healthy");
            assertThat(outside.unrequestedExits()).as("exits of the operator outside").isEmpty();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("operator outside, last lines of " + outside.log() + ":\n"
                    + outside.logTail(60), e);
        } finally {
            switchUpstream("heal");
            outside.stop();
            kubectl.ok("-n", OPERATOR_NAMESPACE, "scale", "deployment/healthcheck-operator", "--replicas=2");
        }
        kubectl.ok("-n", OPERATOR_NAMESPACE, "rollout", "status", "deployment/healthcheck-operator",
                "--timeout=" + ROLLOUT.toSeconds() + "s");
    }

    /**
     * The diagnostics port through {@code kubectl port-forward} with the token of a Secret: turning diagnostics on
     * rolls the sidecar pods (Ready follows the real rollout), and a heap dump comes back as a valid HPROF file from a
     * pod that is neither restarted nor evicted for it (the dump is written to the emptyDir the operator sizes).
     */
    @Test
    @Order(7)
    void aHeapDumpThroughPortForward() throws Exception {
        String token = "e2e-diagnostics-token-" + Long.toHexString(System.nanoTime());
        kubectl.ok("-n", NAMESPACE, "create", "secret", "generic", "diag-token", "--from-literal=token=" + token);
        List<String> podsBefore = sidecarPods();
        kubectl.ok("-n", NAMESPACE, "patch", "hc", HEALTH_CHECK, "--type=merge", "-p",
                "{\"spec\":{\"diagnostics\":{\"enabled\":true,\"port\":9000,"
                        + "\"tokenSecretRef\":{\"name\":\"diag-token\",\"key\":\"token\"}}}}");
        await("the sidecar pods replaced").atMost(ROLLOUT).pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    List<String> pods = sidecarPods();
                    return pods.size() == 1 && !podsBefore.contains(pods.get(0)) && readyReplicas().equals("1");
                });
        awaitStatus("Ready", "True", ROLLOUT);
        String pod = sidecarPods().get(0);

        try (PortForward forward = PortForward.start(kubectl, NAMESPACE, "pod/" + pod, 9000)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            URI heapDump = URI.create("http://127.0.0.1:" + forward.localPort() + "/debug/heapdump");
            HttpResponse<Void> refused = http.send(HttpRequest.newBuilder(heapDump).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.discarding());
            assertThat(refused.statusCode()).as("without the token").isEqualTo(401);

            Path file = clusterDirectory.resolveSibling("heap.hprof");
            HttpResponse<Path> dump = http.send(HttpRequest.newBuilder(heapDump).timeout(Duration.ofMinutes(2))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofFile(file));
            assertThat(dump.statusCode()).as("heap dump status").isEqualTo(200);
            byte[] header = new byte[18];
            try (var in = Files.newInputStream(file)) {
                assertThat(in.readNBytes(header, 0, header.length)).isEqualTo(header.length);
            }
            assertThat(new String(header, StandardCharsets.US_ASCII)).isEqualTo("JAVA PROFILE 1.0.2");
            System.out.printf("heap dump: %d bytes%n", Files.size(file));
        }
        // The kubelet's eviction manager looks every 10 s: the pod must stay as it is for three of its rounds.
        String jsonPath = "jsonpath={.status.phase} {.status.reason} {.status.containerStatuses[0].restartCount}";
        await("the sidecar pod neither evicted nor restarted").during(Duration.ofSeconds(30))
                .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2))
                .until(() -> kubectl.run("-n", NAMESPACE, "get", "pod", pod, "-o", jsonPath).stdout(),
                        "Running  0"::equals);
    }

    /**
     * The 507 of a dump that its volume cannot hold, on a real pod. The operator always sizes the dump volume for the
     * heap maximum plus the reserve, so the pod here is the one it renders for the demo (diagnostics on) with a
     * smaller volume: the emptyDir's sizeLimit and the limit the sidecar is told, 64 MiB, the reserve alone. The dump
     * is refused before anything is written: the kubelet's directory of that emptyDir stays empty.
     */
    @Test
    @Order(8)
    void aHeapDumpItsVolumeCannotHoldIs507() throws Exception {
        Deployment rendered = Serialization.unmarshal(kubectl.ok("-n", NAMESPACE, "get", "deployment",
                HealthChecks.ownedName(HEALTH_CHECK), "-o", "json"), Deployment.class);
        PodSpec spec = rendered.getSpec().getTemplate().getSpec();
        Volume dumps = spec.getVolumes().stream().filter(v -> v.getName().equals("heap-dumps")).findFirst()
                .orElseThrow(() -> new AssertionError("no heap-dumps volume in " + spec.getVolumes()));
        EnvVar limit = spec.getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("SIDECAR_DIAGNOSTICS_HEAP_DUMP_VOLUME_BYTES")).findFirst()
                .orElseThrow();
        assertThat(dumps.getEmptyDir().getSizeLimit()).as("what the operator renders").isEqualTo(new Quantity("112Mi"));
        assertThat(limit.getValue()).isEqualTo(String.valueOf(112L << 20));
        dumps.getEmptyDir().setSizeLimit(new Quantity("64Mi"));
        limit.setValue(String.valueOf(64L << 20));
        String name = "dump-volume-too-small";
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                // Not the Deployment's labels: its ReplicaSet would adopt the pod and delete it as one too many.
                .addToLabels("app.kubernetes.io/name", name).endMetadata().withSpec(spec).build();
        kubectl.apply(Serialization.asYaml(pod));
        try {
            kubectl.ok("-n", NAMESPACE, "wait", "pod/" + name, "--for=condition=Ready",
                    "--timeout=" + ROLLOUT.toSeconds() + "s");
            String uid = kubectl.ok("-n", NAMESPACE, "get", "pod", name, "-o", "jsonpath={.metadata.uid}");
            try (PortForward forward = PortForward.start(kubectl, NAMESPACE, "pod/" + name, 9000)) {
                HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + forward.localPort() + "/debug/heapdump"))
                        .timeout(Duration.ofMinutes(1)).header("Authorization", "Bearer " + diagnosticsToken())
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as("status, body: %s", refused.body()).isEqualTo(507);
                assertThat(refused.body()).contains("volume (limit 64 MiB)");
            }
            try (var written = Files.list(emptyDirOnTheNode(uid, "heap-dumps"))) {
                assertThat(written.toList()).as("what the refused dump left in its volume").isEmpty();
            }
        } finally {
            kubectl.ok("-n", NAMESPACE, "delete", "pod", name, "--wait=false");
        }
    }

    /**
     * A header from a Secret, rotated: the demo upstream's /authorized accepts one Authorization value (set through
     * its POST /token), the Secret holds another, so the check fails; once the Secret holds the accepted value the
     * kubelet updates the mounted file and the next probes send it: the check passes, in the same pod, never
     * restarted.
     */
    @Test
    @Order(9)
    void aRotatedSecretHeaderIsSentWithoutARestart() throws Exception {
        String name = "rotation";
        String accepted = "Bearer e2e-rotated-" + Long.toHexString(System.nanoTime());
        upstream("token", accepted);
        kubectl.ok("-n", NAMESPACE, "create", "secret", "generic", "probe-token",
                "--from-literal=token=Bearer e2e-before-rotation");
        kubectl.apply(HealthChecks.manifest(NAMESPACE, name, """
                  replicas: 1
                  periodSeconds: 2
                  timeoutSeconds: 1
                  failureThreshold: 1
                  checks:
                    - name: authorized
                      critical: true
                      httpGet:
                        url: http://demo-upstream.demo.svc:8080/authorized
                        expectedStatuses: [200]
                        httpHeaders:
                          - name: Authorization
                            valueFrom:
                              secretKeyRef: {name: probe-token, key: token}
                """));
        String selector = "app.kubernetes.io/instance=" + name;
        String podIdentity = "jsonpath={range .items[*]}{.metadata.uid} {.status.containerStatuses[0].restartCount}"
                + "{\"\\n\"}{end}";
        try {
            await(name + " Ready").atMost(ROLLOUT).pollInterval(Duration.ofSeconds(2))
                    .until(() -> kubectl.run("-n", NAMESPACE, "get", "hc", name, "-o",
                            "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}").stdout(), "True"::equals);
            String before = kubectl.ok("-n", NAMESPACE, "get", "pods", "-l", selector, "-o", podIdentity);
            assertThat(before).as("one sidecar pod, never restarted").matches("[-0-9a-f]+ 0\n");
            String pod = kubectl.ok("-n", NAMESPACE, "get", "pods", "-l", selector, "-o",
                    "jsonpath={.items[0].metadata.name}");
            try (PortForward forward = PortForward.start(kubectl, NAMESPACE, "pod/" + pod, 8080)) {
                URI health = URI.create("http://127.0.0.1:" + forward.localPort() + "/health");
                await("the old value refused").atMost(FOLLOWS_UPSTREAM).pollInterval(Duration.ofSeconds(1))
                        .until(() -> checkStatus(health, "authorized"), "failing UnexpectedStatus"::equals);

                kubectl.apply("""
                        apiVersion: v1
                        kind: Secret
                        metadata: {name: probe-token, namespace: %s}
                        stringData: {token: "%s"}
                        """.formatted(NAMESPACE, accepted));
                long start = System.nanoTime();
                // The kubelet refreshes a mounted Secret when it syncs the pod (every 10 s on this node, see
                // hack/local-cluster/kubelet.sh), then the next probe reads the file.
                await("the rotated value accepted").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> checkStatus(health, "authorized"), "ok Succeeded"::equals);
                System.out.printf("rotated Secret sent after %d s%n",
                        Duration.ofNanos(System.nanoTime() - start).toSeconds());
            }
            await(name + " Healthy").atMost(FOLLOWS_UPSTREAM).pollInterval(Duration.ofSeconds(1))
                    .until(() -> kubectl.run("-n", NAMESPACE, "get", "hc", name, "-o", "jsonpath={.status.health}")
                            .stdout(), "Healthy"::equals);
            assertThat(kubectl.ok("-n", NAMESPACE, "get", "pods", "-l", selector, "-o", podIdentity))
                    .as("the same pod (uid), not restarted").isEqualTo(before);
        } finally {
            kubectl.ok("-n", NAMESPACE, "delete", "hc", name, "--wait=false");
        }
    }

    /**
     * Deleting a HealthCheck removes everything it owned, its running pods included (the real garbage collector and
     * kubelet). A HealthCheck of its own, so that the demo stays for the summary at the end.
     */
    @Test
    @Order(10)
    void deletingAHealthCheckRemovesWhatItOwned() {
        String name = "short-lived";
        kubectl.apply(HealthChecks.manifest(NAMESPACE, name, """
                  replicas: 1
                  checks:
                    - name: port
                      tcpSocket:
                        host: demo-upstream.demo.svc
                        port: 5432
                """));
        String owned = "deployment,replicaset,pod,service,configmap";
        String selector = "app.kubernetes.io/instance=" + name;
        await(name + " running").atMost(ROLLOUT).pollInterval(Duration.ofSeconds(2))
                .until(() -> kubectl.ok("-n", NAMESPACE, "get", "hc", name, "-o", "jsonpath={.status.health}"),
                        "Healthy"::equals);
        assertThat(kubectl.ok("-n", NAMESPACE, "get", owned, "-l", selector, "-o", "name"))
                .as("what %s owns", name).contains("deployment.apps/" + HealthChecks.ownedName(name), "pod/");

        kubectl.ok("-n", NAMESPACE, "delete", "hc", name, "--wait=true", "--timeout=120s");
        await("owned objects gone").atMost(ROLLOUT).pollInterval(Duration.ofSeconds(2))
                .until(() -> kubectl.ok("-n", NAMESPACE, "get", owned, "-l", selector, "-o", "name"), String::isEmpty);
    }

    /**
     * A sidecar that breaks inside its own process (the test-hooks image deadlocks two of its threads some seconds
     * after start, hack/images/test-hooks) fails its liveness probe, and the real kubelet restarts it.
     */
    @Test
    @Order(11)
    void aSidecarDeadlockedInsideIsRestartedByTheKubelet() {
        String name = "deadlocks";
        kubectl.apply(HealthChecks.manifest(NAMESPACE, name, """
                  replicas: 1
                  image: healthcheck-operator/healthcheck-sidecar-test-hooks:%s
                  checks:
                    - name: port
                      tcpSocket:
                        host: demo-upstream.demo.svc
                        port: 5432
                """.formatted(projectVersion())));
        String selector = "app.kubernetes.io/instance=" + name;
        try {
            await(name + " restarted by the kubelet").atMost(ROLLOUT).pollInterval(Duration.ofSeconds(2))
                    .until(() -> kubectl.ok("-n", NAMESPACE, "get", "pods", "-l", selector, "-o",
                            "jsonpath={.items[*].status.containerStatuses[0].restartCount}"),
                            restarts -> !restarts.isBlank() && Integer.parseInt(restarts.split(" ")[0]) >= 1);
            String pod = kubectl.ok("-n", NAMESPACE, "get", "pods", "-l", selector, "-o",
                    "jsonpath={.items[0].metadata.name}");
            // The kubelet writes its Events asynchronously, and a slow start may add a startup-probe failure
            // before them: wait (bounded) for the liveness failure among all of the pod's Unhealthy Events.
            Supplier<String> kubeletSaw = () -> kubectl.ok("-n", NAMESPACE, "get", "events", "--field-selector",
                    "involvedObject.name=" + pod + ",reason=Unhealthy", "-o", "jsonpath={.items[*].message}");
            await("the kubelet's liveness failure of " + pod).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(kubeletSaw::get, saw -> saw.contains("Liveness probe failed"));
            assertThat(kubeletSaw.get()).as("what the kubelet reported").contains("Liveness probe failed")
                    .contains("503");
            assertThat(kubectl.ok("-n", NAMESPACE, "get", "pod", pod, "-o",
                    "jsonpath={.status.containerStatuses[0].lastState.terminated.reason}"))
                    .as("how the deadlocked container ended").isNotBlank();
        } finally {
            kubectl.ok("-n", NAMESPACE, "delete", "hc", name, "--wait=true", "--timeout=120s");
        }
    }

    /** A sidecar image the node cannot pull: Ready=False with the kubelet's reason, naming the image. */
    @Test
    @Order(12)
    void anUnpullableSidecarImageIsTheReadyReason() {
        String name = "unpullable";
        String image = "healthcheck-operator/healthcheck-sidecar-does-not-exist:0.0.0";
        kubectl.apply(HealthChecks.manifest(NAMESPACE, name, """
                  replicas: 1
                  image: %s
                  checks:
                    - name: port
                      tcpSocket:
                        host: demo-upstream.demo.svc
                        port: 5432
                """.formatted(image)));
        String reason = "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}";
        String message = "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}";
        try {
            await(name + " ImagePullFailed").atMost(ROLLOUT).pollInterval(Duration.ofSeconds(2))
                    .until(() -> kubectl.ok("-n", NAMESPACE, "get", "hc", name, "-o", reason),
                            "ImagePullFailed"::equals);
            assertThat(kubectl.ok("-n", NAMESPACE, "get", "hc", name, "-o", message))
                    .as("the Ready message").contains(image).containsAnyOf("ErrImagePull", "ImagePullBackOff");
            assertThat(kubectl.ok("-n", NAMESPACE, "get", "hc", name, "-o",
                    "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("False");
        } finally {
            kubectl.ok("-n", NAMESPACE, "delete", "hc", name, "--wait=true", "--timeout=120s");
        }
    }

    private static String projectVersion() {
        String version = System.getProperty("cluster-tests.project-version");
        assertThat(version).as("system property cluster-tests.project-version (set by the pom)").isNotBlank();
        return version;
    }

    /** The sidecar pods that are not being deleted. */
    private static List<String> sidecarPods() {
        String lines = kubectl.ok("-n", NAMESPACE, "get", "pods", "-l", "app.kubernetes.io/instance=" + HEALTH_CHECK,
                "-o", "jsonpath={range .items[*]}{.metadata.name}={.metadata.deletionTimestamp}{\"\\n\"}{end}");
        return lines.lines().filter(line -> line.endsWith("=")).map(line -> line.substring(0, line.length() - 1))
                .toList();
    }

    /** POST /break or /heal to the demo pod, through the API server's pod proxy (the pod IP is on the bridge). */
    private static void switchUpstream(String action) {
        upstream(action, "");
    }

    /** POST {@code body} to the demo pod's {@code /path}, through the API server's pod proxy. */
    private static void upstream(String path, String body) {
        String pod = kubectl.ok("-n", NAMESPACE, "get", "pods", "-l", "app.kubernetes.io/name=demo-upstream", "-o",
                "jsonpath={.items[0].metadata.name}");
        kubectl.runWithInput(body, "create", "--raw",
                "/api/v1/namespaces/" + NAMESPACE + "/pods/" + pod + ":8080/proxy/" + path, "-f", "-").orThrow();
    }

    /** "status reason" of one check in a sidecar's /health, or what was wrong with the answer. */
    private static String checkStatus(URI health, String check) throws InterruptedException {
        HttpResponse<String> answer;
        try {
            answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return "no answer: " + e; // a port-forward hiccup: polled again
        }
        Map<?, ?> report = Serialization.unmarshal(answer.body(), Map.class);
        Object checks = report.get("checks");
        if (checks instanceof List<?> list) {
            for (Object entry : list) {
                if (entry instanceof Map<?, ?> result && check.equals(result.get("name"))) {
                    return result.get("status") + " " + result.get("reason");
                }
            }
        }
        return "no check " + check + " in " + answer.body();
    }

    /** The diagnostics token of the demo (the Secret aHeapDumpThroughPortForward created). */
    private static String diagnosticsToken() {
        return new String(Base64.getDecoder().decode(kubectl.ok("-n", NAMESPACE, "get", "secret", "diag-token", "-o",
                "jsonpath={.data.token}")), StandardCharsets.UTF_8);
    }

    /**
     * The directory of a pod's emptyDir on this machine, where the real node's kubelet keeps it
     * (/var/lib/healthcheck-operator-node/&lt;node id&gt;/kubelet, see hack/local-cluster/node.sh).
     */
    private static Path emptyDirOnTheNode(String podUid, String volume) throws IOException {
        Path nodes = Path.of("/var/lib/healthcheck-operator-node");
        try (var roots = Files.list(nodes)) {
            List<Path> found = roots.map(root -> root.resolve("kubelet/pods").resolve(podUid)
                    .resolve("volumes/kubernetes.io~empty-dir").resolve(volume)).filter(Files::isDirectory).toList();
            assertThat(found).as("the %s emptyDir of pod %s under %s", volume, podUid, nodes).hasSize(1);
            return found.get(0);
        }
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
