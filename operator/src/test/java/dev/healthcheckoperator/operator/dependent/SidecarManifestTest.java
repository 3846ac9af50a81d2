package dev.healthcheckoperator.operator.dependent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.config.OperatorConfig;
import dev.healthcheckoperator.operator.crd.v1alpha1.DiagnosticsSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.testsupport.TestHealthChecks;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The sidecar Deployment and Service as the operator renders them for a plain two-replica HealthCheck, written to
 * target/manifests/sidecar.yaml, where make chart-check runs kube-score on them. It also pins what the chart's
 * PodMonitor relies on: the pod labels it selects and the name of the port that serves /metrics.
 */
class SidecarManifestTest {

    static final Path OUTPUT = Path.of("target", "manifests", "sidecar.yaml");

    @Test
    void rendersTheSidecarObjectsForLinting() throws IOException {
        DeploymentDependent deployments = deploymentsWithDefaults();
        HealthCheck healthCheck = TestHealthChecks.healthCheck("shop", "checkout", 8080,
                TestHealthChecks.tcpCheck("db", "db.shop.svc", 5432, true));
        healthCheck.getSpec().setReplicas(2);

        Deployment deployment = deployments.desired(healthCheck, null);
        var service = new ServiceDependent().desired(healthCheck, null);

        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals("healthcheck-sidecar", podLabels.get("app.kubernetes.io/name"));
        assertEquals("healthcheck-operator", podLabels.get("app.kubernetes.io/managed-by"));
        assertEquals("checkout", podLabels.get(SidecarNames.INSTANCE_LABEL));
        assertTrue(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                .map(ContainerPort::getName).anyMatch(SidecarNames.HEALTH_PORT_NAME::equals),
                "the port the PodMonitor scrapes: " + deployment.getSpec().getTemplate().getSpec().getContainers());
        assertEquals("healthcheck-operator/healthcheck-sidecar:0.1.0",
                deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());

        Files.createDirectories(OUTPUT.getParent());
        Files.writeString(OUTPUT, Serialization.asYaml(deployment) + Serialization.asYaml(service));
    }

    /** The name the operator looks its objects up by (without building them) is the one it gives them. */
    @Test
    void eachOwnedObjectIsLookedUpByTheNameItIsGiven() {
        DeploymentDependent deployments = deploymentsWithDefaults();
        HealthCheck healthCheck = TestHealthChecks.healthCheck("shop", "checkout", 8080);
        healthCheck.getSpec().setDiagnostics(new DiagnosticsSpec());
        ServiceDependent services = new ServiceDependent();
        NetworkPolicyDependent policies = new NetworkPolicyDependent();
        assertEquals(ResourceID.fromResource(deployments.desired(healthCheck, null)),
                deployments.targetSecondaryResourceID(healthCheck, null));
        assertEquals(ResourceID.fromResource(services.desired(healthCheck, null)),
                services.targetSecondaryResourceID(healthCheck, null));
        assertEquals(ResourceID.fromResource(policies.desired(healthCheck, null)),
                policies.targetSecondaryResourceID(healthCheck, null));
    }

    /** The defaults of OperatorConfig, with Quarkus' duration format ("15s") as in the operator. */
    private static DeploymentDependent deploymentsWithDefaults() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors().withMapping(OperatorConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withDefaultValue("quarkus.application.version", "0.1.0").build();
        DeploymentDependent deployments = new DeploymentDependent();
        deployments.config = config.getConfigMapping(OperatorConfig.class);
        return deployments;
    }
}
