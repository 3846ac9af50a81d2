package dev.healthcheckoperator.operator.reconciler;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.await;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.certificateCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.checksFile;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.condition;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.configMapTrustAndClientCertificate;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.deployment;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.events;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.get;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.httpCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.markDeploymentAvailable;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.postWithSecretBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.DiagnosticsSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpHeader;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretKeyRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretValueSource;
import dev.healthcheckoperator.operator.crd.v1alpha1.StatusCondition;
import dev.healthcheckoperator.operator.crd.v1alpha1.TlsOptions;
import dev.healthcheckoperator.operator.dependent.MountedReferences;
import dev.healthcheckoperator.operator.dependent.SidecarNames;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.KubeApiServerResource;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Header values, request bodies, TLS keys and the diagnostics token from Secrets, reconciled by the operator (with
 * the RBAC of deploy/, so get on Secrets is enough) against a real API server: a missing Secret or key is named in Ready=False, and recovered from once it exists;
 * the value itself reaches no ConfigMap, status or Event; a changed Secret rolls nothing, a changed reference does.
 */
@QuarkusTest
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = false)
class SecretReferencesReconcileTest {

    private static final String VALUE = "Bearer s3cr3t-7f3a9c-never-in-a-configmap";

    final KubernetesClient client = ControlPlane.admin();
    String namespace;

    @BeforeEach
    void createNamespace() {
        namespace = ControlPlane.createNamespace(client, "secret-refs");
    }

    private HealthCheck withSecretHeader(String name, String secret, String key) {
        CheckSpec check = httpCheck("api", "http://checkout.shop.svc:8080/ready");
        HttpHeader header = new HttpHeader();
        header.setName("Authorization");
        header.setValueFrom(new SecretValueSource(new SecretKeyRef(secret, key)));
        check.getHttpGet().setHttpHeaders(List.of(header));
        return healthCheck(namespace, name, 8080, check);
    }

    private Secret secret(String name, Map<String, String> data) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withStringData(data).build();
    }

    @Test
    void aMissingSecretOrKeyIsNamedUntilItExists() {
        HealthCheck hc = withSecretHeader("missing", "api-token", "token");
        client.resource(hc).create();
        namedUntilItExists(hc, "api-token", "token", "spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef");
    }

    @Test
    void aMissingDiagnosticsTokenIsNamedBeforeAnyRollout() {
        HealthCheck hc = healthCheck(namespace, "diagnostics", 8080, httpCheck("api",
                "http://checkout.shop.svc:8080/ready"));
        DiagnosticsSpec diagnostics = new DiagnosticsSpec();
        diagnostics.setEnabled(true);
        diagnostics.setTokenSecretRef(new SecretKeyRef("diag-token", "token"));
        hc.getSpec().setDiagnostics(diagnostics);
        client.resource(hc).create();
        namedUntilItExists(hc, "diag-token", "token", "spec.diagnostics.tokenSecretRef");
    }

    /**
     * Ready=False SecretNotFound naming the Secret and the field while it is missing, then naming the key while the
     * Secret lacks it, and no Deployment meanwhile; the sidecars roll out once the key exists, with one Event.
     */
    private void namedUntilItExists(HealthCheck hc, String secret, String key, String field) {
        StatusCondition notFound = awaitSecretNotFound(hc);
        assertEquals("False", notFound.getStatus());
        assertTrue(notFound.getMessage().startsWith("Secret " + secret + " not found (" + field + ") in namespace "
                + namespace), notFound.getMessage());
        assertNull(deployment(client, hc), "no pod template names a Secret that does not exist");

        client.resource(secret(secret, Map.of("other", VALUE))).create();
        await().until(() -> condition(get(client, hc), ReadyCondition.TYPE).getMessage()
                .startsWith("Secret " + secret + " has no key " + key + " (" + field + ")"));
        assertEquals(MissingReferences.REASON_SECRET_NOT_FOUND,
                condition(get(client, hc), ReadyCondition.TYPE).getReason());
        assertNull(deployment(client, hc));

        client.secrets().inNamespace(namespace).withName(secret)
                .edit(s -> new SecretBuilder(s).addToStringData(key, VALUE).build());
        await().until(() -> deployment(client, hc) != null);
        markDeploymentAvailable(client, hc, 1);
        await().until(() -> "True".equals(condition(get(client, hc), ReadyCondition.TYPE).getStatus()));
        // Looked at every recheck interval while missing, announced once: one Event per transition, not per look.
        // "Not found" then "no key" is one reason: announced once, however often it was looked at.
        assertEquals(1, events(client, hc, MissingReferences.REASON_SECRET_NOT_FOUND).size(),
                events(client, hc, MissingReferences.REASON_SECRET_NOT_FOUND).toString());
    }

    private StatusCondition awaitSecretNotFound(HealthCheck hc) {
        await().until(() -> {
            StatusCondition ready = condition(get(client, hc), ReadyCondition.TYPE);
            return ready != null && MissingReferences.REASON_SECRET_NOT_FOUND.equals(ready.getReason());
        });
        return condition(get(client, hc), ReadyCondition.TYPE);
    }

    @Test
    void aTokenSecretOfDisabledDiagnosticsIsNotRequired() {
        HealthCheck hc = healthCheck(namespace, "diagnostics-off", 8080,
                httpCheck("api", "http://checkout.shop.svc:8080/ready"));
        DiagnosticsSpec diagnostics = new DiagnosticsSpec();
        diagnostics.setEnabled(false);
        diagnostics.setTokenSecretRef(new SecretKeyRef("absent-token", "token"));
        hc.getSpec().setDiagnostics(diagnostics);
        client.resource(hc).create();
        await().until(() -> deployment(client, hc) != null);
        assertTrue(events(client, hc, MissingReferences.REASON_SECRET_NOT_FOUND).isEmpty(),
                "the token is not mounted, so its absence stops nothing");
    }

    @Test
    void aCertificateChecksTlsKeysAndABodyFromASecretAreMountedNeverCopied() {
        String key = "-----BEGIN PRIVATE KEY-----\nk3y-9d2e-never-in-a-configmap\n-----END PRIVATE KEY-----\n";
        String query = "{\"query\":\"{ health(token: \\\"q-5b1c-never-in-a-configmap\\\") }\"}";
        client.resource(new SecretBuilder().withNewMetadata().withName("cert-client").withNamespace(namespace)
                .endMetadata().withType("kubernetes.io/tls").withStringData(Map.of("tls.crt",
                        "-----BEGIN CERTIFICATE-----\nc3rt\n-----END CERTIFICATE-----\n", "tls.key", key)).build())
                .create();
        client.resource(secret("graphql-query", Map.of("query", query))).create();
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("shop-ca").withNamespace(namespace)
                .endMetadata().withData(Map.of("ca.crt", "-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n"))
                .build()).create();

        CheckSpec cert = certificateCheck("cert", "checkout.shop.svc", 8443,
                configMapTrustAndClientCertificate("shop-ca", "ca.crt", "cert-client"));
        CheckSpec graphql = postWithSecretBody("graphql", "http://checkout.shop.svc:8080/graphql", "graphql-query",
                "query");
        HealthCheck hc = healthCheck(namespace, "cert-and-body", 8080, cert, graphql);
        client.resource(hc).create();
        await().until(() -> deployment(client, hc) != null);
        markDeploymentAvailable(client, hc, 1);
        await().until(() -> "True".equals(condition(get(client, hc), ReadyCondition.TYPE).getStatus()));

        PodSpec pod = deployment(client, hc).getSpec().getTemplate().getSpec();
        for (String[] mounted : new String[][] {{"cert-client", "tls.crt,tls.key"}, {"graphql-query", "query"}}) {
            Volume volume = pod.getVolumes().stream().filter(v -> v.getSecret() != null
                    && mounted[0].equals(v.getSecret().getSecretName())).findFirst().orElseThrow();
            assertEquals(List.of(mounted[1].split(",")), volume.getSecret().getItems().stream()
                    .map(KeyToPath::getKey).toList());
            assertTrue(pod.getContainers().get(0).getVolumeMounts().stream().anyMatch(m -> m.getName()
                    .equals(volume.getName()) && Boolean.TRUE.equals(m.getReadOnly())
                    && m.getMountPath().equals(MountedReferences.SECRETS_DIR + "/" + mounted[0])), mounted[0]);
        }
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getConfigMap() != null
                && "shop-ca".equals(v.getConfigMap().getName())), pod.getVolumes().toString());

        String file = checksFile(client, hc);
        assertTrue(file.contains(MountedReferences.SECRETS_DIR + "/cert-client/tls.key"), file);
        assertTrue(file.contains(MountedReferences.SECRETS_DIR + "/graphql-query/query"), file);
        String status = Serialization.asJson(get(client, hc).getStatus());
        String allEvents = Serialization.asJson(client.events().v1().events().inNamespace(namespace).list());
        String deployment = Serialization.asJson(deployment(client, hc));
        for (String rendered : List.of(file, status, allEvents, deployment)) {
            for (String secret : List.of("k3y-9d2e", "q-5b1c", base64(key), base64(query))) {
                assertFalse(rendered.contains(secret), rendered);
            }
        }
    }

    @Test
    void aMissingClientCertificateOrBodySecretIsNamed() {
        TlsOptions tls = new TlsOptions();
        tls.setClientCertificateSecretRef(new SecretRef("absent-client"));
        HealthCheck hc = healthCheck(namespace, "missing-cert", 8080, certificateCheck("cert", "checkout.shop.svc",
                8443, tls));
        client.resource(hc).create();
        String certMessage = awaitSecretNotFound(hc).getMessage();
        assertTrue(certMessage.startsWith("Secret absent-client not found "
                + "(spec.checks[0].tlsCertificate.tls.clientCertificateSecretRef)"), certMessage);

        HealthCheck post = healthCheck(namespace, "missing-body", 8080, postWithSecretBody("graphql",
                "http://checkout.shop.svc:8080/graphql", "absent-query", "query"));
        client.resource(post).create();
        String bodyMessage = awaitSecretNotFound(post).getMessage();
        assertTrue(bodyMessage.startsWith("Secret absent-query not found "
                + "(spec.checks[0].httpGet.body.valueFrom.secretKeyRef)"), bodyMessage);
        assertNull(deployment(client, hc));
        assertNull(deployment(client, post));
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theValueReachesNoChecksFileStatusOrEvent() {
        client.resource(secret("api-token", Map.of("token", VALUE))).create();
        HealthCheck hc = withSecretHeader("no-leak", "api-token", "token");
        client.resource(hc).create();
        await().until(() -> deployment(client, hc) != null);
        markDeploymentAvailable(client, hc, 1);
        await().until(() -> "True".equals(condition(get(client, hc), ReadyCondition.TYPE).getStatus()));

        PodSpec pod = deployment(client, hc).getSpec().getTemplate().getSpec();
        Volume volume = pod.getVolumes().stream().filter(v -> v.getSecret() != null
                && "api-token".equals(v.getSecret().getSecretName())).findFirst().orElseThrow();
        assertEquals(0400, volume.getSecret().getDefaultMode());
        assertEquals("token", volume.getSecret().getItems().get(0).getKey());
        assertTrue(pod.getContainers().get(0).getVolumeMounts().stream().anyMatch(m -> m.getName()
                .equals(volume.getName()) && Boolean.TRUE.equals(m.getReadOnly())
                && m.getMountPath().equals(MountedReferences.SECRETS_DIR + "/api-token")));

        String file = checksFile(client, hc);
        assertTrue(file.contains(MountedReferences.SECRETS_DIR + "/api-token/token"), file);
        String status = Serialization.asJson(get(client, hc).getStatus());
        String allEvents = Serialization.asJson(client.events().v1().events().inNamespace(namespace).list());
        String deployment = Serialization.asJson(deployment(client, hc));
        String encoded = Base64.getEncoder().encodeToString(VALUE.getBytes(StandardCharsets.UTF_8));
        for (String rendered : List.of(file, status, allEvents, deployment)) {
            assertFalse(rendered.contains("s3cr3t-7f3a9c"), rendered);
            assertFalse(rendered.contains(encoded), rendered);
        }
    }

    @Test
    void aChangedSecretRollsNothingAChangedReferenceDoes() {
        client.resource(secret("api-token", Map.of("token", VALUE, "token-v2", VALUE + "-2"))).create();
        HealthCheck hc = withSecretHeader("rotate", "api-token", "token");
        client.resource(hc).create();
        await().until(() -> deployment(client, hc) != null);
        markDeploymentAvailable(client, hc, 1);
        await().until(() -> "True".equals(condition(get(client, hc), ReadyCondition.TYPE).getStatus()));
        Deployment before = deployment(client, hc);

        client.secrets().inNamespace(namespace).withName("api-token")
                .edit(s -> new SecretBuilder(s).withData(null).withStringData(Map.of("token", VALUE + "-rotated",
                        "token-v2", VALUE + "-2")).build());
        // A Deployment status change makes the operator reconcile after the rotation; the status shows it did.
        markDeploymentAvailable(client, hc, 2);
        await().until(() -> Integer.valueOf(2).equals(get(client, hc).getStatus().getReadyReplicas()));
        Deployment after = deployment(client, hc);
        assertEquals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration(),
                "a rotated Secret changes nothing in the pod template");
        assertEquals(before.getSpec().getTemplate(), after.getSpec().getTemplate());

        client.resources(HealthCheck.class).inNamespace(namespace).withName("rotate").edit(h -> {
            h.getSpec().getChecks().get(0).getHttpGet().getHttpHeaders().get(0).getValueFrom().getSecretKeyRef()
                    .setKey("token-v2");
            return h;
        });
        await().until(() -> deployment(client, hc).getMetadata().getGeneration() > before.getMetadata()
                .getGeneration());
        Deployment moved = deployment(client, hc);
        assertNotEquals(before.getSpec().getTemplate().getMetadata().getAnnotations()
                .get(SidecarNames.CONFIG_HASH_ANNOTATION),
                moved.getSpec().getTemplate().getMetadata().getAnnotations().get(SidecarNames.CONFIG_HASH_ANNOTATION));
        assertTrue(checksFile(client, hc)
                .contains(MountedReferences.SECRETS_DIR + "/api-token/token-v2"));
    }
}
