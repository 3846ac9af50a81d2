package dev.healthcheckoperator.operator.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;

/** `kubectl apply -k deploy/`, as the README says, against the test API server. */
class KustomizationTest {

    @Test
    void kubectlApplyInstallsTheOperator(@TempDir Path dir) throws Exception {
        KubernetesClient admin = ControlPlane.admin();
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, ControlPlane.kubeconfigYaml());

        Process kubectl = new ProcessBuilder(ControlPlane.kubectl().toString(), "--kubeconfig", kubeconfig.toString(),
                "apply", "--server-side", "--force-conflicts", "-k", ControlPlane.DEPLOY_DIR.toString())
                .redirectErrorStream(true).start();
        String output = new String(kubectl.getInputStream().readAllBytes());
        kubectl.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, kubectl.exitValue(), output);

        assertNotNull(admin.apiextensions().v1().customResourceDefinitions()
                .withName("healthchecks.healthcheck-operator.dev").get());
        Deployment operator = admin.apps().deployments().inNamespace("healthcheck-operator")
                .withName("healthcheck-operator").get();
        assertEquals(2, operator.getSpec().getReplicas(), "two replicas, one of them leading");
        assertEquals("healthcheck-operator", operator.getSpec().getTemplate().getSpec().getServiceAccountName());
        assertEquals(List.of("ALL"), operator.getSpec().getTemplate().getSpec().getContainers().get(0)
                .getSecurityContext().getCapabilities().getDrop());
    }
}
