package dev.healthcheckoperator.operator.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

import dev.healthcheckoperator.operator.crd.v1alpha1.CaBundleRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.ConfigMapKeyRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpBody;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpGetAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpRequestMethod;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretKeyRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretValueSource;
import dev.healthcheckoperator.operator.crd.v1alpha1.TcpSocketAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.TlsCertificateAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.TlsOptions;
import dev.healthcheckoperator.operator.dependent.DeploymentDependent;
import dev.healthcheckoperator.operator.dependent.SidecarNames;
import dev.healthcheckoperator.operator.crd.v1alpha1.StatusCondition;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Builders and probes shared by the tests that run the operator. */
public final class TestHealthChecks {

    private TestHealthChecks() {
    }

    public static ConditionFactory await() {
        return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200));
    }

    public static HealthCheck healthCheck(String namespace, String name, int port, CheckSpec... checks) {
        HealthCheck healthCheck = new HealthCheck();
        healthCheck.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        healthCheck.getSpec().setPort(port);
        healthCheck.getSpec().setChecks(List.of(checks));
        return healthCheck;
    }

    public static CheckSpec httpCheck(String name, String url) {
        CheckSpec check = new CheckSpec();
        check.setName(name);
        HttpGetAction httpGet = new HttpGetAction();
        httpGet.setUrl(url);
        check.setHttpGet(httpGet);
        return check;
    }

    /** A tlsCertificate check of host:port with these tls options (null: none). */
    public static CheckSpec certificateCheck(String name, String host, int port, TlsOptions tls) {
        TlsCertificateAction certificate = new TlsCertificateAction();
        certificate.setHost(host);
        certificate.setPort(port);
        certificate.setTls(tls);
        CheckSpec check = new CheckSpec();
        check.setName(name);
        check.setTlsCertificate(certificate);
        return check;
    }

    /** TLS options trusting the CA bundle of a ConfigMap key, presenting the client certificate of a Secret. */
    public static TlsOptions configMapTrustAndClientCertificate(String configMap, String key, String clientSecret) {
        TlsOptions tls = new TlsOptions();
        CaBundleRef ca = new CaBundleRef();
        ca.setConfigMapKeyRef(new ConfigMapKeyRef(configMap, key));
        tls.setCaBundleRef(ca);
        tls.setClientCertificateSecretRef(new SecretRef(clientSecret));
        return tls;
    }

    /** A POST to url whose body is the Secret key's value. */
    public static CheckSpec postWithSecretBody(String name, String url, String secret, String key) {
        CheckSpec check = httpCheck(name, url);
        check.getHttpGet().setMethod(HttpRequestMethod.POST);
        HttpBody body = new HttpBody();
        body.setValueFrom(new SecretValueSource(new SecretKeyRef(secret, key)));
        check.getHttpGet().setBody(body);
        return check;
    }

    /** {@code count} POSTs, each with a body of the largest size the schema allows: a large checks file. */
    public static List<CheckSpec> largePosts(int count) {
        List<CheckSpec> checks = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            CheckSpec check = httpCheck("post-" + i, "http://api.shop.svc:8080/query");
            check.getHttpGet().setMethod(HttpRequestMethod.POST);
            check.getHttpGet().setBody(new HttpBody("x".repeat(HttpBody.MAX_LENGTH)));
            checks.add(check);
        }
        return checks;
    }

    public static CheckSpec tcpCheck(String name, String host, int port, boolean critical) {
        CheckSpec check = new CheckSpec();
        check.setName(name);
        check.setCritical(critical);
        TcpSocketAction tcp = new TcpSocketAction();
        tcp.setHost(host);
        tcp.setPort(port);
        check.setTcpSocket(tcp);
        return check;
    }

    public static HealthCheck get(KubernetesClient client, HealthCheck healthCheck) {
        return client.resources(HealthCheck.class).inNamespace(healthCheck.getMetadata().getNamespace())
                .withName(healthCheck.getMetadata().getName()).get();
    }

    public static Deployment deployment(KubernetesClient client, HealthCheck healthCheck) {
        return client.apps().deployments().inNamespace(healthCheck.getMetadata().getNamespace())
                .withName(SidecarNames.resourceName(healthCheck)).get();
    }

    /**
     * The checks file the sidecar pods read: the pod template's annotation that the "config" downwardAPI volume
     * shows as checks.json (asserted here, so a test reading the file also proves how it reaches the sidecar).
     */
    public static String checksFile(KubernetesClient client, HealthCheck healthCheck) {
        Deployment deployment = deployment(client, healthCheck);
        if (deployment == null) {
            return null;
        }
        PodTemplateSpec template = deployment.getSpec().getTemplate();
        DownwardAPIVolumeFile file = template.getSpec().getVolumes().stream()
                .filter(v -> DeploymentDependent.CONFIG_VOLUME.equals(v.getName())).findFirst().orElseThrow()
                .getDownwardAPI().getItems().get(0);
        assertEquals(SidecarNames.CONFIG_KEY, file.getPath());
        assertEquals("metadata.annotations['" + SidecarNames.CHECKS_ANNOTATION + "']",
                file.getFieldRef().getFieldPath());
        return template.getMetadata().getAnnotations().get(SidecarNames.CHECKS_ANNOTATION);
    }

    public static StatusCondition condition(HealthCheck healthCheck, String type) {
        HealthCheckStatus status = healthCheck == null ? null : healthCheck.getStatus();
        return status == null ? null : status.condition(type).orElse(null);
    }

    /**
     * No controller-manager runs against the test API server, so no ReplicaSet or Pod ever makes the Deployment
     * available: the test writes the status the Deployment controller would write.
     */
    public static void markDeploymentAvailable(KubernetesClient client, HealthCheck healthCheck, int replicas) {
        await().until(() -> deployment(client, healthCheck) != null);
        client.apps().deployments().inNamespace(healthCheck.getMetadata().getNamespace())
                .withName(SidecarNames.resourceName(healthCheck)).editStatus(d -> {
                    d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
                            .withReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas)
                            .withUpdatedReplicas(replicas).build());
                    return d;
                });
    }

    /**
     * The events.k8s.io/v1 Events about this HealthCheck with this reason, one entry per occurrence: an Event whose
     * series counts 3 is in the list 3 times, so a repeated announcement is counted as the duplicate it is.
     */
    public static List<Event> events(KubernetesClient client, HealthCheck healthCheck, String reason) {
        return events(client, healthCheck).stream().filter(e -> reason.equals(e.getReason()))
                .flatMap(e -> Collections.nCopies(occurrences(e), e).stream()).toList();
    }

    public static List<Event> events(KubernetesClient client, HealthCheck healthCheck) {
        return client.events().v1().events().inNamespace(healthCheck.getMetadata().getNamespace()).list().getItems()
                .stream()
                .filter(e -> e.getRegarding() != null
                        && healthCheck.getMetadata().getName().equals(e.getRegarding().getName()))
                .toList();
    }

    /** How many times an Event happened: 1, or its series' count. */
    public static int occurrences(Event event) {
        return event.getSeries() == null ? 1 : event.getSeries().getCount();
    }

    /** Every occurrence of every Event about this HealthCheck, whatever its reason (a series counts its count). */
    public static List<Event> allEvents(KubernetesClient client, HealthCheck healthCheck) {
        return events(client, healthCheck).stream()
                .flatMap(e -> Collections.nCopies(occurrences(e), e).stream()).toList();
    }

    /** A loopback port nothing listens on (the moment it is returned). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
