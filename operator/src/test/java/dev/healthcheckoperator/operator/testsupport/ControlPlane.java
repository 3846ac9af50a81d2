package dev.healthcheckoperator.operator.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.KubeAPITestException;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * One real etcd + kube-apiserver for the test JVM (fabric8 kube-api-test in offline mode, binaries built by
 * hack/build-control-plane.sh). No controller-manager runs: no ReplicaSets, Pods or garbage collection.
 */
public final class ControlPlane {

    public static final Path CRD_FILE = Path.of(System.getProperty("operator-test.crd-file",
            "../crds/healthchecks.healthcheck-operator.dev-v1.yml"));

    public static final Path DEPLOY_DIR = CRD_FILE.getParent().resolveSibling("deploy");
    /**
     * Where the kubeconfig of the running server is published: Quarkus loads test resources and test classes in
     * different class loaders, and a system property is what both see, so the JVM runs a single API server.
     */
    private static final String KUBECONFIG_PROPERTY = "operator-test.kubeconfig";

    private static Config config;
    private static KubernetesClient admin;

    private ControlPlane() {
    }

    public static synchronized Config config() {
        if (config == null && System.getProperty(KUBECONFIG_PROPERTY) != null) {
            try {
                config = Config.fromKubeconfig(Files.readString(Path.of(System.getProperty(KUBECONFIG_PROPERTY))));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        if (config == null) {
            // The builder is given offline mode explicitly: kube-api-test 7.6.1 cannot read it from the environment.
            KubeAPIServer started = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                    .withOfflineMode(true)
                    .withUpdateKubeConfig(false)
                    .build());
            try {
                started.start();
            } catch (KubeAPITestException e) {
                throw new IllegalStateException("No kube-apiserver/etcd/kubectl under ~/.kubeapitest/k8s: "
                        + "run hack/build-control-plane.sh first", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
            String kubeconfig = started.getKubeConfigYaml();
            try {
                Path file = Files.createTempFile("kubeapitest", ".kubeconfig");
                file.toFile().deleteOnExit();
                Files.writeString(file, kubeconfig);
                System.setProperty(KUBECONFIG_PROPERTY, file.toString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            config = Config.fromKubeconfig(kubeconfig);
        }
        return config;
    }

    /** The kubeconfig of the running server (client certificate of a cluster admin). */
    public static String kubeconfigYaml() {
        config();
        try {
            return Files.readString(Path.of(System.getProperty(KUBECONFIG_PROPERTY)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The kubectl that kube-api-test uses, next to its kube-apiserver. */
    public static Path kubectl() throws IOException {
        String testDir = System.getenv().getOrDefault("KUBE_API_TEST_DIR",
                Path.of(System.getProperty("user.home"), ".kubeapitest").toString());
        Path root = Path.of(testDir, "k8s");
        try (var versions = Files.list(root)) {
            return versions.map(v -> v.resolve("kubectl")).filter(Files::isExecutable).sorted()
                    .reduce((first, second) -> second).orElseThrow();
        }
    }

    public static KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(config()).build();
    }

    /** A cluster-admin client for the test's own actions, shared and never closed. */
    public static synchronized KubernetesClient admin() {
        if (admin == null) {
            admin = newClient();
        }
        return admin;
    }

    /** Applies manifests from deploy/ as they are shipped. */
    public static void applyDeployManifest(KubernetesClient client, String file) {
        try (InputStream in = Files.newInputStream(DEPLOY_DIR.resolve(file))) {
            client.load(in).forceConflicts().serverSideApply();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEPLOY_DIR.resolve(file), e);
        }
    }

    /** Applies the checked-in CRD (the file users install) and waits until the API server serves it. */
    public static void applyCrd(KubernetesClient client) {
        try (InputStream in = Files.newInputStream(CRD_FILE)) {
            CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
            client.resource(crd).forceConflicts().serverSideApply();
            client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                    .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null
                            && c.getStatus().getConditions().stream()
                            .anyMatch(cond -> "Established".equals(cond.getType())
                                    && "True".equals(cond.getStatus())),
                            30, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + CRD_FILE, e);
        }
    }

    public static String createNamespace(KubernetesClient client, String prefix) {
        String name = prefix + "-" + Long.toString(System.nanoTime(), 36);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
        return name;
    }

    /**
     * The API server's count of server-side applies to Deployments since it started, from its own
     * apiserver_request_total: it counts applies that change nothing too, which no watch shows.
     */
    public static double deploymentApplies(KubernetesClient admin) {
        return admin.raw("/metrics").lines()
                .filter(line -> line.startsWith("apiserver_request_total{") && line.contains("resource=\"deployments\"")
                        && line.contains("verb=\"APPLY\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
