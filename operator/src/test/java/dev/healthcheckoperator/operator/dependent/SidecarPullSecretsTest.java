package dev.healthcheckoperator.operator.dependent;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.await;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.condition;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.deployment;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.get;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.markDeploymentAvailable;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.config.OperatorConfig;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.reconciler.ReadyCondition;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.KubeApiServerResource;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * healthcheck.sidecar.image-pull-secrets (HEALTHCHECK_SIDECAR_IMAGE_PULL_SECRETS, which the chart's
 * sidecarImage.pullSecrets sets): the operator, against a real API server, puts them into every sidecar pod's
 * imagePullSecrets, in order, and a Deployment so rendered is not updated again and again.
 */
@QuarkusTest
@TestProfile(SidecarPullSecretsTest.PullSecretsProfile.class)
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = false)
class SidecarPullSecretsTest {

    final KubernetesClient client = ControlPlane.admin();

    @Test
    void everySidecarPodPullsWithTheConfiguredSecrets() {
        String namespace = ControlPlane.createNamespace(client, "pull-secrets");
        HealthCheck hc = client.resource(healthCheck(namespace, "private-registry", 8080,
                tcpCheck("db", "postgres.shop.svc", 5432, false))).create();

        await().until(() -> deployment(client, hc) != null);
        markDeploymentAvailable(client, hc, 1);
        await().until(() -> "True".equals(condition(get(client, hc), ReadyCondition.TYPE).getStatus()));

        Deployment deployment = deployment(client, hc);
        assertEquals(List.of(new LocalObjectReference("registry-login"), new LocalObjectReference("mirror.login")),
                deployment.getSpec().getTemplate().getSpec().getImagePullSecrets(),
                "the pod template as the API server stored it");
        // Reconciled again (status written, Deployment status changed) without a change of the pod template.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30))
                .until(() -> deployment(client, hc).getMetadata().getGeneration(),
                        deployment.getMetadata().getGeneration()::equals);
    }

    @Test
    void aNameThatCannotBeASecretStopsTheStart() {
        // What Quarkus reports when the operator starts with it (the same SmallRye config mapping).
        ConfigValidationException refused = assertThrows(ConfigValidationException.class,
                () -> config("registry-login,Registry_Login"));
        String message = refused.getMessage();
        assertTrue(message.contains("healthcheck.sidecar.image-pull-secrets"), message);
        assertTrue(message.contains("not a Secret name: 'Registry_Login'"), message);
        assertEquals(List.of("registry-login", "b.c"), config(" registry-login , b.c").sidecar().imagePullSecrets()
                .orElseThrow());
        assertTrue(config("").sidecar().imagePullSecrets().isEmpty(), "an empty setting is none");
    }

    private static OperatorConfig config(String pullSecrets) {
        return new SmallRyeConfigBuilder().addDefaultInterceptors().withMapping(OperatorConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withDefaultValue("quarkus.application.version", "0.1.0")
                .withDefaultValue("healthcheck.sidecar.image-pull-secrets", pullSecrets).build()
                .getConfigMapping(OperatorConfig.class);
    }

    public static class PullSecretsProfile implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("healthcheck.sidecar.image-pull-secrets", "registry-login,mirror.login");
        }
    }
}
