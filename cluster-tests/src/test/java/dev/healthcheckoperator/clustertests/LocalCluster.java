package dev.healthcheckoperator.clustertests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import static org.awaitility.Awaitility.await;

/**
 * One local control plane for the whole test run (hack/local-cluster.sh with a fresh HC_CLUSTER_DIR under target/),
 * the HealthCheck CRD from crds/, the operator's Namespace, ServiceAccount and RBAC from deploy/ (everything of
 * {@code kubectl apply -k deploy/} except the operator's own Deployment), and the packaged operator as a process that
 * authenticates with a token of that ServiceAccount: whatever it manages to do, its RBAC allowed.
 * <p>
 * {@link #close()} stops the operator and purges the cluster; a JVM shutdown hook does the same if the run is cut
 * short.
 */
final class LocalCluster implements AutoCloseable {

    static final String OPERATOR_NAMESPACE = "healthcheck-operator";
    static final String OPERATOR_SERVICE_ACCOUNT = "healthcheck-operator";
    static final String OPERATOR_DEPLOYMENT = "healthcheck-operator";
    static final ResourceDefinitionContext HEALTH_CHECKS = new ResourceDefinitionContext.Builder()
            .withGroup("healthcheck-operator.dev").withVersion("v1alpha1").withKind("HealthCheck")
            .withPlural("healthchecks").withNamespaced(true).build();

    private static final String OPERATOR_JAR = "operator/target/quarkus-app/quarkus-run.jar";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(90);
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration OPERATOR_READY_TIMEOUT = Duration.ofMinutes(3);

    private final Path repoRoot;
    private final Path runDirectory;
    private final Path clusterDirectory;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::shutDown, "local-cluster-shutdown");
    private Kubectl kubectl;
    private Kubectl operatorKubectl;
    private KubernetesClient client;
    private OperatorProcess operator;
    private SidecarRelay relay;
    private Path operatorJar;
    private String firstUpOutput;
    private Map<String, String> operatorEnvironment;

    private LocalCluster(Path repoRoot, Path runDirectory) {
        this.repoRoot = repoRoot;
        this.runDirectory = runDirectory;
        this.clusterDirectory = runDirectory.resolve("cluster");
    }

    static LocalCluster start() {
        Path repoRoot = findRepoRoot();
        Path workDirectory = Path.of(System.getProperty("cluster-tests.work-dir",
                repoRoot.resolve("cluster-tests/target/cluster-tests").toString()));
        Path runDirectory = workDirectory
                .resolve("run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        LocalCluster cluster = new LocalCluster(repoRoot, runDirectory);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            cluster.bringUp();
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The repository: the cluster-tests.repo-root system property, or the nearest directory with hack/. */
    static Path findRepoRoot() {
        String configured = System.getProperty("cluster-tests.repo-root");
        Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isExecutable(dir.resolve("hack/local-cluster.sh"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no hack/local-cluster.sh in " + start + " or above it");
    }

    private void bringUp() {
        Path jar = operatorJar();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first with "
                    + "mvn -B -pl operator -am package -DskipTests");
        }
        createDirectories(clusterDirectory);
        String stdout = script(BUILD_TIMEOUT, "build-control-plane.sh").orThrow().stdout().strip();
        Path bin = Path.of(stdout.substring(stdout.lastIndexOf('\n') + 1));
        firstUpOutput = upOnAMachineThatCannotRunContainers();

        kubectl = new Kubectl(bin.resolve("kubectl"), clusterDirectory.resolve("kubeconfig"), repoRoot);
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(read(clusterDirectory.resolve("kubeconfig")))).build();
        kubectl.ok("apply", "-f", repoRoot.resolve("crds").toString());
        // Right after the create, the CRD may have no conditions yet, and kubectl wait then fails at once instead
        // of waiting: ask again until Established.
        await("HealthCheck CRD established").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> kubectl.run("wait", "--for=condition=Established", "--timeout=30s",
                        "crd/healthchecks.healthcheck-operator.dev").succeeded());
        kubectl.ok("apply", "-k", deployWithoutOperatorDeployment().toString());

        relay = new SidecarRelay();
        Path operatorKubeconfig = writeOperatorKubeconfig();
        operatorKubectl = kubectl.as(operatorKubeconfig);
        operatorJar = jar;
        operatorEnvironment = Map.of(
                "KUBECONFIG", operatorKubeconfig.toString(),
                // As deploy/deployment.yaml sets them: the Lease lives in the operator's namespace, all namespaces
                // are watched.
                "KUBERNETES_NAMESPACE", OPERATOR_NAMESPACE,
                "QUARKUS_OPERATOR_SDK_CONTROLLERS_HEALTHCHECK_NAMESPACES", "JOSDK_ALL_NAMESPACES",
                // kwok pods run no sidecar, and outside the cluster the Service names do not resolve: poll the
                // relay, which hands a HealthCheck routed to a real sidecar process that sidecar's answer (health
                // Unknown for the others), without any API server traffic.
                "HEALTHCHECK_POLL_MODE", "direct",
                "HEALTHCHECK_POLL_DIRECT_URL_TEMPLATE", relay.urlTemplate(),
                // Every 2 s instead of the shipped 15 s: tests wait for polls (e.g. three by a restarted operator)
                // and for health that follows a switched upstream; more polls are more chances to catch a write
                // that should not happen.
                "HEALTHCHECK_POLL_INTERVAL", "2s");
        operator = new OperatorProcess(jar, operatorEnvironment, runDirectory, runDirectory.resolve("operator.log"));
        operator.start();
        awaitOperatorReady();
    }

    /**
     * Stops the operator and starts a new one with these environment variables on top of the usual ones (none: as
     * the cluster started it), logging to the same file. For a test that needs the operator configured otherwise,
     * e.g. polling sidecar processes on this machine; it puts the usual operator back when it is done.
     */
    void restartOperator(Map<String, String> overrides) {
        operator.stop();
        Map<String, String> environment = new HashMap<>(operatorEnvironment);
        environment.putAll(overrides);
        operator = new OperatorProcess(operatorJar, environment, runDirectory, operator.log());
        operator.start();
        awaitOperatorReady();
    }

    /**
     * {@code kubectl apply -k deploy/} as users run it, minus the operator's Deployment: the operator runs here as a
     * process instead. Kustomize only reads bases below or beside the overlay by relative path.
     */
    private Path deployWithoutOperatorDeployment() {
        Path overlay = runDirectory.resolve("deploy-overlay");
        createDirectories(overlay);
        String base = overlay.relativize(repoRoot.resolve("deploy")).toString();
        write(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - %s
                patches:
                  - patch: |-
                      $patch: delete
                      apiVersion: apps/v1
                      kind: Deployment
                      metadata:
                        name: %s
                        namespace: %s
                """.formatted(base, OPERATOR_DEPLOYMENT, OPERATOR_NAMESPACE));
        return overlay;
    }

    /** A kubeconfig with the admin's server and CA and a one-hour token of the operator's ServiceAccount. */
    private Path writeOperatorKubeconfig() {
        return writeServiceAccountKubeconfig(OPERATOR_NAMESPACE, OPERATOR_SERVICE_ACCOUNT,
                runDirectory.resolve("operator.kubeconfig"));
    }

    /** A kubeconfig with the admin's server and CA and a one-hour token of the given ServiceAccount. */
    Path writeServiceAccountKubeconfig(String namespace, String serviceAccount, Path file) {
        String token = kubectl.ok("create", "token", serviceAccount, "-n", namespace, "--duration=1h").strip();
        String server = kubectl.ok("config", "view", "--raw", "-o", "jsonpath={.clusters[0].cluster.server}");
        String ca = kubectl.ok("config", "view", "--raw", "-o",
                "jsonpath={.clusters[0].cluster.certificate-authority-data}");
        write(file, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: local
                    cluster:
                      server: %s
                      certificate-authority-data: %s
                users:
                  - name: %s
                    user:
                      token: %s
                contexts:
                  - name: operator
                    context:
                      cluster: local
                      user: %s
                      namespace: %s
                current-context: operator
                """.formatted(server, ca, serviceAccount, token, serviceAccount, namespace));
        return file;
    }

    /** Waits for the operator's readiness endpoint, e.g. after it was started again. */
    void awaitOperatorReady() {
        try {
            await("operator ready").atMost(OPERATOR_READY_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                    .until(operator::ready);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the operator did not become ready; last lines of " + operator.log()
                    + ":\n" + operator.logTail(60), e);
        }
    }

    /** Admin kubectl (system:masters). */
    Kubectl kubectl() {
        return kubectl;
    }

    /** kubectl with the operator's kubeconfig: its ServiceAccount token. */
    Kubectl operatorKubectl() {
        return operatorKubectl;
    }

    /** Admin client. */
    KubernetesClient client() {
        return client;
    }

    /** Where the operator polls: route a HealthCheck to a {@link SidecarProcess} to give it real health. */
    SidecarRelay relay() {
        return relay;
    }

    OperatorProcess operator() {
        return operator;
    }

    Path repoRoot() {
        return repoRoot;
    }

    Path runDirectory() {
        return runDirectory;
    }

    /** The admin kubeconfig of the cluster, for tools that take one (helm). */
    Path kubeconfig() {
        return clusterDirectory.resolve("kubeconfig");
    }

    /** The packaged operator jar the cluster's operator runs. */
    Path operatorJar() {
        return repoRoot.resolve(OPERATOR_JAR);
    }

    MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> healthChecks() {
        return client.genericKubernetesResources(HEALTH_CHECKS);
    }

    /** A new namespace of its own for one test: {@code <prefix>-<random>}. */
    String createNamespace(String prefix) {
        String name = prefix + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
        kubectl.ok("create", "namespace", name);
        return name;
    }

    /** SIGKILL of the kube-apiserver through its pid file, as a crash would. */
    void killApiServer() throws InterruptedException {
        long pid = Long.parseLong(read(clusterDirectory.resolve("run/kube-apiserver.pid")).strip());
        ProcessHandle apiServer = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException("kube-apiserver (pid " + pid + ") is not running"));
        apiServer.destroyForcibly();
        await("kube-apiserver gone").atMost(Duration.ofSeconds(30)).until(() -> !apiServer.isAlive());
    }

    /** {@code hack/local-cluster.sh up}: starts whatever is not running. */
    void up() {
        clusterScript("up");
    }

    /**
     * The first {@code up} asks for no node kind (the default, a real node) on a machine made unable to run
     * containers: a {@code runc} first on PATH that refuses, as runc does where user namespaces or cgroups are
     * denied. The script must then fall back to kwok by itself, saying why; every test of the run sees that cluster.
     */
    private String upOnAMachineThatCannotRunContainers() {
        Path fakeRuntime = clusterDirectory.resolve("refusing-oci-runtime");
        try {
            createDirectories(fakeRuntime);
            Path runc = fakeRuntime.resolve("runc");
            Files.writeString(runc, "#!/bin/sh\necho 'container_linux.go:380: starting container process caused: "
                    + "unshare: operation not permitted' >&2\nexit 1\n");
            runc.toFile().setExecutable(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Command.Result result = Command.run(repoRoot, Map.of("HC_CLUSTER_DIR", clusterDirectory.toString(),
                "PATH", fakeRuntime + ":" + System.getenv("PATH")), UP_TIMEOUT, null,
                List.of(repoRoot.resolve("hack/local-cluster.sh").toString(), "up")).orThrow();
        return result.stdout() + result.stderr();
    }

    /** What the first {@code up} of this run printed (see {@link #upOnAMachineThatCannotRunContainers}). */
    String firstUpOutput() {
        return firstUpOutput;
    }

    /** {@code hack/local-cluster.sh env}. */
    String env() {
        return script(Duration.ofMinutes(1), "local-cluster.sh", "env").orThrow().stdout();
    }

    /** {@code hack/local-cluster.sh status}: processes, API server readiness and nodes. */
    String status() {
        Command.Result result = script(Duration.ofMinutes(1), "local-cluster.sh", "status");
        return result.stdout() + result.stderr();
    }

    private void clusterScript(String command) {
        script(UP_TIMEOUT, "local-cluster.sh", command).orThrow();
    }

    /**
     * A script of hack/ with this run's HC_CLUSTER_DIR, on kwok's fake node: these tests run no pod, and a real
     * node is one per machine.
     */
    private Command.Result script(Duration timeout, String name, String... arguments) {
        List<String> command = Command.args(repoRoot.resolve("hack").resolve(name).toString(), arguments);
        return Command.run(repoRoot, Map.of("HC_CLUSTER_DIR", clusterDirectory.toString(), "HC_NODE", "kwok"),
                timeout, null, command);
    }

    @Override
    public void close() {
        shutDown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // close() runs from the hook itself
        }
    }

    /** Stops the operator, keeps the cluster's logs under target/ and purges the cluster. Runs once. */
    private void shutDown() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (operator != null) {
            operator.stop();
        }
        if (relay != null) {
            relay.close();
        }
        if (client != null) {
            client.close();
        }
        keepClusterLogs();
        try {
            clusterScript("purge");
        } catch (RuntimeException e) {
            System.err.println("could not purge " + clusterDirectory + ": " + e.getMessage());
            killComponentsByPidFile();
        }
    }

    private void keepClusterLogs() {
        Path logs = clusterDirectory.resolve("logs");
        if (!Files.isDirectory(logs)) {
            return;
        }
        Path target = runDirectory.resolve("cluster-logs");
        try (Stream<Path> files = Files.list(logs)) {
            createDirectories(target);
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        } catch (IOException e) {
            System.err.println("could not keep the cluster logs: " + e.getMessage());
        }
    }

    /** Last resort when the script cannot stop the control plane: the processes of its pid files. */
    private void killComponentsByPidFile() {
        try (Stream<Path> pidFiles = Files.list(clusterDirectory.resolve("run"))) {
            for (Path pidFile : pidFiles.toList()) {
                ProcessHandle.of(Long.parseLong(read(pidFile).strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("could not stop the control plane: " + e.getMessage());
        }
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
