package dev.healthcheckoperator.operator.crd.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The status schema and the printer columns as the API server serves them from the checked-in CRD: conditions are
 * metav1.Condition (a list-map keyed by type, status enum, reason pattern, date-time), checks are keyed by name, and
 * kubectl prints NAME READY HEALTH REPLICAS AGE. The test writes statuses itself.
 */
class StatusSchemaTest {

    private static final String CRD_NAME = "healthchecks.healthcheck-operator.dev";
    private static KubernetesClient client;
    private static String namespace;
    private static int counter;

    @BeforeAll
    static void installCrd() {
        client = ControlPlane.newClient();
        ControlPlane.applyCrd(client);
        namespace = ControlPlane.createNamespace(client, "status-schema");
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @Test
    void printerColumnsAreServedInTheirDeclaredOrderWithReasonsForWide() {
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME)
                .get();
        List<CustomResourceColumnDefinition> columns = crd.getSpec().getVersions().get(0)
                .getAdditionalPrinterColumns();
        assertEquals(List.of("Ready", "Health", "Replicas", "Age", "Ready Reason", "Health Reason", "Flapping"),
                columns.stream().map(CustomResourceColumnDefinition::getName).toList());
        // The API server leaves out a priority of 0.
        assertEquals(List.of(0, 0, 0, 0, 1, 1, 1), columns.stream()
                .map(c -> c.getPriority() == null ? 0 : c.getPriority()).toList());
    }

    @Test
    void kubectlPrintsNameReadyHealthReplicasAge() throws Exception {
        HealthCheck hc = create();
        writeStatus(hc, status(condition("Ready", "True", "SidecarsAvailable"),
                condition("Healthy", "True", "AllChecksPassing")));

        List<String> header = headerOf(kubectl("get", "hc", hc.getMetadata().getName(), "-n", namespace));
        assertEquals(List.of("NAME", "READY", "HEALTH", "REPLICAS", "AGE"), header);
        String wide = kubectl("get", "hc", hc.getMetadata().getName(), "-n", namespace, "-o", "wide");
        assertEquals(List.of("NAME", "READY", "HEALTH", "REPLICAS", "AGE", "READY REASON", "HEALTH REASON",
                "FLAPPING"), headerOf(wide));
        // The reasons, whatever they are now: an operator may be running in this JVM and reconciling it.
        List<String> row = Arrays.asList(wide.lines().skip(1).findFirst().orElseThrow().trim().split("\\s+"));
        // No Flapping condition until a check flaps: kubectl leaves that column empty.
        assertTrue(row.size() == 7 || row.size() == 8 && row.get(7).matches("True|False"), wide);
        assertTrue(row.get(5).matches("[A-Z][A-Za-z]+") && row.get(6).matches("[A-Z][A-Za-z]+"), wide);
    }

    @Test
    void aWellFormedStatusIsAccepted() {
        HealthCheck hc = create();
        HealthCheck written = writeStatus(hc, status(condition("Ready", "False", "SidecarsProgressing"),
                condition("Healthy", "Unknown", "Pending")));
        assertEquals(2, written.getStatus().getConditions().size());
    }

    static Stream<Arguments> badStatuses() {
        return Stream.of(
                Arguments.of("two conditions of one type", status(condition("Ready", "True", "SidecarsAvailable"),
                        condition("Ready", "False", "SidecarsProgressing")), "Duplicate value"),
                Arguments.of("a status outside the enum", status(condition("Ready", "Maybe", "SidecarsAvailable")),
                        "Unsupported value: \"Maybe\""),
                Arguments.of("a reason with spaces", status(condition("Ready", "True", "not camel case")),
                        "status.conditions[0].reason"),
                Arguments.of("a transition time that is no date-time", status(withTime(
                        condition("Ready", "True", "SidecarsAvailable"), "yesterday")),
                        "status.conditions[0].lastTransitionTime"),
                Arguments.of("a condition without reason", status(condition("Ready", "True", null)),
                        "status.conditions[0].reason: Required value"),
                Arguments.of("a negative observedGeneration", status(withGeneration(
                        condition("Ready", "True", "SidecarsAvailable"), -1)),
                        "status.conditions[0].observedGeneration"),
                Arguments.of("two checks of one name", withChecks(status(), check("db"), check("db")),
                        "Duplicate value"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badStatuses")
    void aMalformedStatusIsRefused(String description, HealthCheckStatus status, String expected) {
        HealthCheck hc = create();
        KubernetesClientException refused = assertThrows(KubernetesClientException.class,
                () -> writeStatus(hc, status));
        assertEquals(422, refused.getCode(), refused.getMessage());
        assertTrue(refused.getMessage().contains(expected), refused.getMessage());
    }

    private static HealthCheck create() {
        HealthCheck hc = new HealthCheck();
        hc.setMetadata(new ObjectMetaBuilder().withName("status-" + (++counter)).withNamespace(namespace).build());
        return client.resource(hc).create();
    }

    /** A merge patch of the whole status, without a resourceVersion: an operator in this JVM may write it too. */
    private static HealthCheck writeStatus(HealthCheck hc, HealthCheckStatus status) {
        HealthCheck patch = new HealthCheck();
        patch.setMetadata(new ObjectMetaBuilder().withName(hc.getMetadata().getName()).withNamespace(namespace)
                .build());
        patch.setSpec(null);
        patch.setStatus(status);
        return client.resources(HealthCheck.class).inNamespace(namespace).resource(patch).patchStatus();
    }

    private static HealthCheckStatus status(StatusCondition... conditions) {
        HealthCheckStatus status = new HealthCheckStatus();
        status.setConditions(Arrays.asList(conditions));
        status.setHealth(Health.Healthy);
        status.setReadyReplicas(1);
        return status;
    }

    private static StatusCondition condition(String type, String status, String reason) {
        return new StatusCondition(type, status, 1L, "2026-01-01T00:00:00Z", reason, "");
    }

    private static StatusCondition withTime(StatusCondition condition, String time) {
        condition.setLastTransitionTime(time);
        return condition;
    }

    private static StatusCondition withGeneration(StatusCondition condition, long generation) {
        condition.setObservedGeneration(generation);
        return condition;
    }

    private static HealthCheckStatus withChecks(HealthCheckStatus status, CheckStatus... checks) {
        status.setChecks(Arrays.asList(checks));
        return status;
    }

    private static CheckStatus check(String name) {
        CheckStatus check = new CheckStatus();
        check.setName(name);
        check.setHealthy(true);
        return check;
    }

    /** Column names are separated by at least two spaces (a name may contain one). */
    private static List<String> headerOf(String output) {
        return Arrays.asList(output.lines().findFirst().orElseThrow().trim().split("\\s{2,}"));
    }

    /**
     * Every field of the dns and tlsCertificate checks (and the latter's tls options), and httpGet's method and
     * body, has its explanation.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            healthcheck.spec.checks.dns                | name: | Name to query | recordType: | Record type to ask for | expectedValues: | Values the answer must hold | match: | all (the default) | server: | DNS server to ask
            healthcheck.spec.checks.tlsCertificate     | host: | DNS name or IPv4 address | tls: | TLS options, as for an https or gRPC check | serverName: | Name sent as SNI | expiresWithinDays: | (default 14 | insecureSkipTlsVerify: | only the expiry is judged
            healthcheck.spec.checks.tlsCertificate.tls | caBundleRef: | PEM CA certificates | clientCertificateSecretRef: | kubernetes.io/tls Secret | serverName: | Name the server's certificate must carry | insecureSkipTlsVerify: | Accept any server certificate | caBundleRef: | instead of the sidecar's default trust store
            healthcheck.spec.checks.httpGet            | method: | GET (the default), HEAD or POST | body: | Request body, with method POST only | contentType: | Content-Type of body | url: | Absolute http | followRedirects: | Follow up to 10 redirects
            healthcheck.spec.checks.httpGet.body       | value: | sent as it is | value: | Exactly one of value or valueFrom | valueFrom: | Take the body from a Secret key | valueFrom: | at most 8192 bytes | valueFrom: | SecretUnreadable
            """)
    void kubectlExplainDocumentsTheCheckFields(String path, String f1, String d1, String f2, String d2, String f3,
            String d3, String f4, String d4, String f5, String d5) throws Exception {
        String explained = kubectl("explain", path).replaceAll("\\s+", " ");
        for (String[] field : new String[][] {{f1, d1}, {f2, d2}, {f3, d3}, {f4, d4}, {f5, d5}}) {
            String name = field[0].substring(0, field[0].length() - 1);
            assertTrue(explained.contains(" " + name + " "), path + " lists " + name + ": " + explained);
            assertTrue(explained.contains(field[1]), path + " explains " + name + " with '" + field[1] + "': "
                    + explained);
        }
    }

    /** The kubectl that kube-api-test runs with, against the test API server. */
    private static String kubectl(String... args) throws IOException, InterruptedException {
        Path kubectl = ControlPlane.kubectl();
        Path kubeconfig = Files.createTempFile("status-schema", ".kubeconfig");
        Files.writeString(kubeconfig, ControlPlane.kubeconfigYaml());
        List<String> command = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig",
                kubeconfig.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "kubectl did not finish");
        Files.delete(kubeconfig);
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
