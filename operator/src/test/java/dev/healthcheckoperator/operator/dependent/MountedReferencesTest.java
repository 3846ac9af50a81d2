package dev.healthcheckoperator.operator.dependent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.healthcheckoperator.operator.crd.v1alpha1.CaBundleRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.ConfigMapKeyRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.GrpcAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpHeader;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretKeyRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretValueSource;
import dev.healthcheckoperator.operator.crd.v1alpha1.TlsOptions;
import dev.healthcheckoperator.operator.testsupport.TestHealthChecks;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;

/** How referenced Secret and ConfigMap keys become volumes, mounts and paths in the checks file. */
class MountedReferencesTest {

    static HttpHeader secretHeader(String name, String secret, String key) {
        HttpHeader header = new HttpHeader();
        header.setName(name);
        header.setValueFrom(new SecretValueSource(new SecretKeyRef(secret, key)));
        return header;
    }

    /** Two headers from one Secret, a gRPC check with a CA from the same Secret, a client certificate, a CA ConfigMap. */
    static HealthCheckSpec spec() {
        CheckSpec api = TestHealthChecks.httpCheck("api", "https://checkout.shop.svc:8443/ready");
        api.getHttpGet().setHttpHeaders(List.of(secretHeader("Authorization", "api.credentials", "token"),
                secretHeader("X-Api-Key", "api.credentials", "api-key"), new HttpHeader("X-Probe", "1")));
        TlsOptions httpTls = new TlsOptions();
        CaBundleRef configMapCa = new CaBundleRef();
        configMapCa.setConfigMapKeyRef(new ConfigMapKeyRef("shop-ca", "ca.crt"));
        httpTls.setCaBundleRef(configMapCa);
        httpTls.setClientCertificateSecretRef(new SecretRef("probe-client"));
        httpTls.setServerName("checkout.shop.internal");
        api.getHttpGet().setTls(httpTls);

        CheckSpec rpc = new CheckSpec();
        rpc.setName("rpc");
        GrpcAction grpc = new GrpcAction();
        grpc.setHost("grpc.shop.svc");
        grpc.setPort(9090);
        TlsOptions grpcTls = new TlsOptions();
        CaBundleRef secretCa = new CaBundleRef();
        secretCa.setSecretKeyRef(new SecretKeyRef("api.credentials", "ca.crt"));
        grpcTls.setCaBundleRef(secretCa);
        grpc.setTls(grpcTls);
        rpc.setGrpc(grpc);

        HealthCheckSpec spec = new HealthCheckSpec();
        spec.setChecks(List.of(api, rpc));
        return spec;
    }

    @Test
    void oneReadOnlyVolumePerObjectWithOnlyTheNamedKeys() {
        List<Volume> volumes = MountedReferences.volumes(spec());
        assertEquals(3, volumes.size(), "api.credentials, probe-client and shop-ca, each once: " + volumes);

        Volume credentials = volumes.stream().filter(v -> v.getSecret() != null
                && "api.credentials".equals(v.getSecret().getSecretName())).findFirst().orElseThrow();
        assertEquals(List.of("api-key", "ca.crt", "token"),
                credentials.getSecret().getItems().stream().map(KeyToPath::getKey).toList());
        assertEquals(List.of("api-key", "ca.crt", "token"),
                credentials.getSecret().getItems().stream().map(KeyToPath::getPath).toList());
        assertEquals(0400, credentials.getSecret().getDefaultMode());

        Volume client = volumes.stream().filter(v -> v.getSecret() != null
                && "probe-client".equals(v.getSecret().getSecretName())).findFirst().orElseThrow();
        assertEquals(List.of("tls.crt", "tls.key"),
                client.getSecret().getItems().stream().map(KeyToPath::getKey).toList());

        Volume ca = volumes.stream().filter(v -> v.getConfigMap() != null).findFirst().orElseThrow();
        assertEquals("shop-ca", ca.getConfigMap().getName());
        assertEquals(List.of("ca.crt"), ca.getConfigMap().getItems().stream().map(KeyToPath::getKey).toList());
        assertEquals(0400, ca.getConfigMap().getDefaultMode());

        for (Volume volume : volumes) {
            assertTrue(volume.getName().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") && volume.getName().length() <= 63,
                    "a volume name is a DNS label: " + volume.getName());
        }
        List<VolumeMount> mounts = MountedReferences.mounts(spec());
        assertEquals(volumes.stream().map(Volume::getName).sorted().toList(),
                mounts.stream().map(VolumeMount::getName).sorted().toList());
        assertTrue(mounts.stream().allMatch(m -> Boolean.TRUE.equals(m.getReadOnly())), mounts.toString());
        assertTrue(mounts.stream().anyMatch(m -> m.getMountPath()
                .equals(MountedReferences.SECRETS_DIR + "/api.credentials")), mounts.toString());
    }

    @Test
    void theChecksFileCarriesThePathsTheVolumesAreMountedAt() throws Exception {
        JsonNode checks = new ObjectMapper().readTree(SidecarConfigRenderer.render(spec())).get("checks");
        JsonNode headers = checks.get(0).get("httpGet").get("httpHeaders");
        assertEquals(MountedReferences.SECRETS_DIR + "/api.credentials/token", headers.get(0).get("valueFile").asText());
        assertFalse(headers.get(0).has("value"), headers.toString());
        assertEquals("1", headers.get(2).get("value").asText());
        assertFalse(headers.get(2).has("valueFile"), headers.toString());

        JsonNode httpTls = checks.get(0).get("httpGet").get("tls");
        assertEquals(MountedReferences.CONFIG_MAPS_DIR + "/shop-ca/ca.crt", httpTls.get("caFile").asText());
        assertEquals(MountedReferences.SECRETS_DIR + "/probe-client/tls.crt", httpTls.get("certFile").asText());
        assertEquals(MountedReferences.SECRETS_DIR + "/probe-client/tls.key", httpTls.get("keyFile").asText());
        assertEquals("checkout.shop.internal", httpTls.get("serverName").asText());

        JsonNode grpcTls = checks.get(1).get("grpc").get("tls");
        assertEquals(MountedReferences.SECRETS_DIR + "/api.credentials/ca.crt", grpcTls.get("caFile").asText());
        assertFalse(grpcTls.has("certFile"), grpcTls.toString());
    }

    /** A certificate check with a CA bundle and a client certificate, and a POST whose body is in a Secret. */
    static HealthCheckSpec certificateAndBodySpec() {
        TlsOptions tls = TestHealthChecks.configMapTrustAndClientCertificate("shop-ca", "ca.crt", "cert-client");
        tls.setServerName("checkout.shop.internal");
        HealthCheckSpec spec = new HealthCheckSpec();
        spec.setChecks(List.of(TestHealthChecks.certificateCheck("cert", "checkout.shop.svc", 8443, tls),
                TestHealthChecks.postWithSecretBody("graphql", "http://checkout.shop.svc:8080/graphql",
                        "graphql-query", "query")));
        return spec;
    }

    @Test
    void aCertificateChecksTlsFilesAndABodyFromASecretAreMountedAndOnlyTheirPathsWritten() throws Exception {
        HealthCheckSpec spec = certificateAndBodySpec();
        assertEquals(List.of(
                "ConfigMap shop-ca/ca.crt spec.checks[0].tlsCertificate.tls.caBundleRef.configMapKeyRef",
                "Secret cert-client/tls.crt spec.checks[0].tlsCertificate.tls.clientCertificateSecretRef",
                "Secret cert-client/tls.key spec.checks[0].tlsCertificate.tls.clientCertificateSecretRef",
                "Secret graphql-query/query spec.checks[1].httpGet.body.valueFrom.secretKeyRef"),
                MountedReferences.of(spec).stream()
                        .map(r -> r.kind().displayName() + " " + r.name() + "/" + r.key() + " " + r.field()).toList());

        List<Volume> volumes = MountedReferences.volumes(spec);
        assertEquals(3, volumes.size(), volumes.toString());
        Volume query = volumes.stream().filter(v -> v.getSecret() != null
                && "graphql-query".equals(v.getSecret().getSecretName())).findFirst().orElseThrow();
        assertEquals(List.of("query"), query.getSecret().getItems().stream().map(KeyToPath::getKey).toList());
        assertEquals(0400, query.getSecret().getDefaultMode());
        Volume client = volumes.stream().filter(v -> v.getSecret() != null
                && "cert-client".equals(v.getSecret().getSecretName())).findFirst().orElseThrow();
        assertEquals(List.of("tls.crt", "tls.key"),
                client.getSecret().getItems().stream().map(KeyToPath::getKey).toList());
        List<VolumeMount> mounts = MountedReferences.mounts(spec);
        assertTrue(mounts.stream().anyMatch(m -> m.getName().equals(query.getName()) && m.getReadOnly()
                && m.getMountPath().equals(MountedReferences.SECRETS_DIR + "/graphql-query")), mounts.toString());
        assertTrue(mounts.stream().anyMatch(m -> m.getMountPath().equals(MountedReferences.CONFIG_MAPS_DIR
                + "/shop-ca")), mounts.toString());

        JsonNode file = new ObjectMapper().readTree(SidecarConfigRenderer.render(spec));
        assertEquals(ChecksFile.VERSION, file.get("version").asInt());
        JsonNode certTls = file.get("checks").get(0).get("tlsCertificate").get("tls");
        assertEquals(new ObjectMapper().readTree("{\"caFile\":\"" + MountedReferences.CONFIG_MAPS_DIR
                + "/shop-ca/ca.crt\",\"certFile\":\"" + MountedReferences.SECRETS_DIR + "/cert-client/tls.crt\","
                + "\"keyFile\":\"" + MountedReferences.SECRETS_DIR + "/cert-client/tls.key\","
                + "\"serverName\":\"checkout.shop.internal\"}"), certTls);
        assertEquals(new ObjectMapper().readTree("{\"valueFile\":\"" + MountedReferences.SECRETS_DIR
                + "/graphql-query/query\"}"), file.get("checks").get(1).get("httpGet").get("body"));
    }

    @Test
    void changingAReferenceChangesTheChecksFileAndSoThePodTemplate() {
        HealthCheckSpec changed = spec();
        changed.getChecks().get(0).getHttpGet().getHttpHeaders().get(0).getValueFrom().getSecretKeyRef()
                .setKey("token-v2");
        assertNotEquals(SidecarConfigRenderer.hash(spec()), SidecarConfigRenderer.hash(changed));
        assertNotEquals(MountedReferences.volumes(spec()), MountedReferences.volumes(changed));
    }

    @Test
    void everyReferenceNamesItsField() {
        List<String> fields = MountedReferences.of(spec()).stream()
                .map(r -> r.kind().displayName() + " " + r.name() + "/" + r.key() + " " + r.field()).toList();
        assertEquals(List.of(
                "Secret api.credentials/token spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef",
                "Secret api.credentials/api-key spec.checks[0].httpGet.httpHeaders[1].valueFrom.secretKeyRef",
                "ConfigMap shop-ca/ca.crt spec.checks[0].httpGet.tls.caBundleRef.configMapKeyRef",
                "Secret probe-client/tls.crt spec.checks[0].httpGet.tls.clientCertificateSecretRef",
                "Secret probe-client/tls.key spec.checks[0].httpGet.tls.clientCertificateSecretRef",
                "Secret api.credentials/ca.crt spec.checks[1].grpc.tls.caBundleRef.secretKeyRef"), fields);
    }
}
