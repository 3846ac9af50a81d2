package dev.healthcheckoperator.operator.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * One replica of the packaged operator ({@code java -jar target/quarkus-app/quarkus-run.jar}, prod profile, so
 * with leader election and the shipped exit-on-lost-Lease setting) as a child process, against the test's API
 * server with the token of the operator's ServiceAccount. It polls sidecars on loopback in direct mode, every second.
 */
public final class OperatorReplica implements AutoCloseable {

    public static final Path JAR = Path.of(System.getProperty("operator-test.operator-jar",
            "target/quarkus-app/quarkus-run.jar"));

    private static final HttpClient PROBE = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String identity;
    private final int httpPort;
    private final Process process;

    private OperatorReplica(String identity, int httpPort, Process process) {
        this.identity = identity;
        this.httpPort = httpPort;
        this.process = process;
    }

    /** Installs the CRD and the operator's namespace, ServiceAccount and RBAC, as users do. */
    public static void install(KubernetesClient admin) {
        KubeApiServerResource.installAsUsersDo(admin);
    }

    /**
     * Lease timings of 8 s / 6 s / 1 s instead of the shipped 15 s / 10 s / 2 s, in the same proportions: each takeover
     * after a killed leader waits out the Lease, and these waits are time, not what the tests prove.
     */
    public static final Map<String, String> SHORT_LEASE = Map.of(
            "HEALTHCHECK_LEADER_ELECTION_LEASE_DURATION", "8s",
            "HEALTHCHECK_LEADER_ELECTION_RENEW_DEADLINE", "6s",
            "HEALTHCHECK_LEADER_ELECTION_RETRY_PERIOD", "1s");

    public static OperatorReplica start(String identity, KubernetesClient admin) {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: this test runs after mvn package");
        }
        Config config = ControlPlane.config();
        String java = ProcessHandle.current().info().command().orElse("java");
        // A small heap, the serial collector and C1 only: the machine is shared with the API server and other builds.
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "replica-" + identity + ".log")
                        .toFile()));
        int httpPort = TestHealthChecks.freePort();
        builder.environment().putAll(Map.of(
                "HOSTNAME", identity,
                "QUARKUS_HTTP_HOST", "127.0.0.1",
                "QUARKUS_HTTP_PORT", Integer.toString(httpPort),
                "QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", config.getMasterUrl(),
                "QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE", config.getCaCertFile(),
                "QUARKUS_KUBERNETES_CLIENT_TOKEN", KubeApiServerResource.operatorToken(admin),
                "QUARKUS_KUBERNETES_CLIENT_NAMESPACE", KubeApiServerResource.OPERATOR_NAMESPACE,
                "HEALTHCHECK_LEADER_ELECTION_LEASE_NAMESPACE", KubeApiServerResource.OPERATOR_NAMESPACE,
                "HEALTHCHECK_POLL_MODE", "direct",
                "HEALTHCHECK_POLL_INTERVAL", "1s"));
        builder.environment().put("HEALTHCHECK_POLL_TIMEOUT", "2s");
        builder.environment().putAll(SHORT_LEASE);
        try {
            return new OperatorReplica(identity, httpPort, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + JAR, e);
        }
    }

    public String identity() {
        return identity;
    }

    public Process process() {
        return process;
    }

    /** Whether it answers 200 on /q/health/live: started (leading or standing by). */
    public boolean live() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/live"))
                .timeout(Duration.ofSeconds(2)).build();
        try {
            return PROBE.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL, as an OOM kill or a lost node would end it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as a rollout or kubectl delete pod ends it; SIGKILL if it does not end within 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
