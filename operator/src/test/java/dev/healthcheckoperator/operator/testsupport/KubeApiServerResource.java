package dev.healthcheckoperator.operator.testsupport;

import java.util.Map;

import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points the operator under test at the real API server of {@link ControlPlane}, installed as a user would: the
 * checked-in CRD, then the Namespace, ServiceAccount and RBAC of deploy/. The operator authenticates with a token of
 * that ServiceAccount, so every test also proves that the shipped RBAC allows what the operator does.
 */
public class KubeApiServerResource implements QuarkusTestResourceLifecycleManager {

    static final String OPERATOR_NAMESPACE = "healthcheck-operator";

    @Override
    public Map<String, String> start() {
        Config config = ControlPlane.config();
        KubernetesClient admin = ControlPlane.admin();
        installAsUsersDo(admin);
        String token = operatorToken(admin);
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", config.getMasterUrl(),
                "quarkus.kubernetes-client.ca-cert-file", config.getCaCertFile(),
                "quarkus.kubernetes-client.token", token,
                "quarkus.kubernetes-client.namespace", OPERATOR_NAMESPACE);
    }

    /** Installs what `kubectl apply -k deploy/` would, but the operator's Deployment. */
    static void installAsUsersDo(KubernetesClient admin) {
        ControlPlane.applyCrd(admin);
        ControlPlane.applyDeployManifest(admin, "namespace.yaml");
        ControlPlane.applyDeployManifest(admin, "service-account.yaml");
        ControlPlane.applyDeployManifest(admin, "rbac.yaml");
    }

    /** A token of the operator's ServiceAccount, valid for an hour. */
    static String operatorToken(KubernetesClient admin) {
        return admin.serviceAccounts().inNamespace(OPERATOR_NAMESPACE).withName("healthcheck-operator")
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                .getStatus().getToken();
    }

    @Override
    public void stop() {
        // The API server lives as long as the test JVM, shared with the tests that run without Quarkus.
    }
}
