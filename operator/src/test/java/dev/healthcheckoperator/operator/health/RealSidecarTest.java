package dev.healthcheckoperator.operator.health;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.await;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.checksFile;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.condition;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.freePort;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.get;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.markDeploymentAvailable;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.dependent.SidecarNames;
import dev.healthcheckoperator.operator.reconciler.HealthyCondition;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.KubeApiServerResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * End to end with the real sidecar: the operator renders a HealthCheck into its checks file, the sidecar jar runs that
 * very checks.json as a local process, and the operator polls it (direct mode, on loopback) into the status.
 */
@QuarkusTest
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = false)
class RealSidecarTest {

    private static final Path SIDECAR_JAR = Path.of(System.getProperty("operator-test.sidecar-jar",
            "../sidecar/target/quarkus-app/quarkus-run.jar"));

    /** The test acts as cluster admin; the operator runs with its own ServiceAccount's rights. */
    final KubernetesClient client = ControlPlane.admin();

    final List<Process> sidecars = new ArrayList<>();
    ServerSocket upstream;
    String namespace;

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue(Files.exists(SIDECAR_JAR),
                "the sidecar is not built yet (" + SIDECAR_JAR + "): mvn -pl sidecar -am package");
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        namespace = ControlPlane.createNamespace(client, "sidecar");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process sidecar : sidecars) {
            sidecar.destroy();
            sidecar.waitFor();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void aHealthyAndAnUnhealthySidecarAreReflectedInStatus() throws Exception {
        HealthCheck up = start("up", tcpCheck("upstream", "127.0.0.1", upstream.getLocalPort(), true));
        HealthCheck down = start("down", tcpCheck("upstream", "127.0.0.1", freePort(), true));

        await().atMost(Duration.ofSeconds(90)).until(() -> health(up) == Health.Healthy);
        await().atMost(Duration.ofSeconds(90)).until(() -> health(down) == Health.Unhealthy);

        HealthCheck healthy = get(client, up);
        assertEquals("True", condition(healthy, HealthyCondition.TYPE).getStatus());
        assertEquals(Boolean.TRUE, healthy.getStatus().getChecks().get(0).getHealthy());
        HealthCheck unhealthy = get(client, down);
        assertEquals("False", condition(unhealthy, HealthyCondition.TYPE).getStatus());
        assertEquals("CriticalChecksFailing", condition(unhealthy, HealthyCondition.TYPE).getReason());
        assertEquals("upstream", unhealthy.getStatus().getChecks().get(0).getName());
        assertEquals(Boolean.FALSE, unhealthy.getStatus().getChecks().get(0).getHealthy());
        assertEquals("ConnectionRefused", unhealthy.getStatus().getChecks().get(0).getReason());
    }

    /** Creates the HealthCheck, then runs the sidecar with the checks.json the operator rendered for it. */
    private HealthCheck start(String name, CheckSpec check)
            throws Exception {
        int port = freePort();
        HealthCheck hc = healthCheck(namespace, name, port, check);
        hc.getSpec().setPeriodSeconds(2);
        hc.getSpec().setTimeoutSeconds(1);
        hc.getSpec().setFailureThreshold(1);
        client.resource(hc).create();

        await().until(() -> checksFile(client, hc) != null);
        Path dir = Files.createDirectories(Path.of("target", "sidecars", namespace, name));
        Path checksFile = dir.resolve(SidecarNames.CONFIG_KEY);
        Files.writeString(checksFile, checksFile(client, hc));

        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-jar", SIDECAR_JAR.toAbsolutePath().toString());
        builder.environment().put("SIDECAR_PORT", String.valueOf(port));
        builder.environment().put("SIDECAR_CONFIG_FILE", checksFile.toAbsolutePath().toString());
        builder.redirectErrorStream(true).redirectOutput(new File(dir.toFile(), "sidecar.log"));
        sidecars.add(builder.start());

        markDeploymentAvailable(client, hc, 1);
        return hc;
    }

    private Health health(HealthCheck hc) {
        HealthCheck current = get(client, hc);
        return current.getStatus() == null ? null : current.getStatus().getHealth();
    }
}
