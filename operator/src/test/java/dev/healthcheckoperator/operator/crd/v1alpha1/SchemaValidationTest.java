package dev.healthcheckoperator.operator.crd.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Each schema rule, tried against a real API server with the checked-in CRD: a bad HealthCheck is refused with a
 * message that names the offending field. No operator runs here.
 */
class SchemaValidationTest {

    private static final String VALID_CHECK = """
            - name: api
              httpGet: {url: "http://checkout.shop.svc:8080/ready"}
            """;

    private static KubernetesClient client;
    private static String namespace;
    private static int counter;

    @BeforeAll
    static void startApiServer() {
        client = ControlPlane.newClient();
        ControlPlane.applyCrd(client);
        namespace = ControlPlane.createNamespace(client, "schema");
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    static Stream<Arguments> badResources() {
        return Stream.of(
                bad("replicas below 1", "replicas: 0", "spec.replicas", "greater than or equal to 1"),
                bad("replicas above 10", "replicas: 11", "spec.replicas", "less than or equal to 10"),
                bad("replicas not a number", "replicas: two", "spec.replicas", "must be of type integer"),
                bad("image with whitespace", "image: \"my image\"", "spec.image", "should match"),
                bad("port above 65535", "port: 65536", "spec.port", "less than or equal to 65535"),
                bad("port below 1", "port: 0", "spec.port", "greater than or equal to 1"),
                bad("periodSeconds below 1", "periodSeconds: 0", "spec.periodSeconds", "greater than or equal to 1"),
                bad("timeoutSeconds not below periodSeconds", "periodSeconds: 5\ntimeoutSeconds: 5",
                        "spec.timeoutSeconds", "timeoutSeconds must be less than periodSeconds"),
                bad("default timeoutSeconds not below a lower periodSeconds", "periodSeconds: 2",
                        "spec.timeoutSeconds", "timeoutSeconds must be less than periodSeconds"),
                bad("failureThreshold below 1", "failureThreshold: 0", "spec.failureThreshold",
                        "greater than or equal to 1"),
                bad("successThreshold above 100", "successThreshold: 101", "spec.successThreshold",
                        "less than or equal to 100"),
                bad("check without name", checks("- httpGet: {url: \"http://a.b:80/\"}"), "spec.checks[0].name",
                        "Required value"),
                bad("check name with uppercase", checks("- name: API\n  tcpSocket: {host: db, port: 5432}"),
                        "spec.checks[0].name", "should match"),
                bad("check name longer than 63", checks("- name: " + "a".repeat(64)
                        + "\n  tcpSocket: {host: db, port: 5432}"), "spec.checks[0].name", "63"),
                bad("check without handler", checks("- name: api"), "spec.checks[0]",
                        "exactly one of httpGet, tcpSocket or grpc must be set"),
                bad("check with two handlers", checks("- name: api\n  tcpSocket: {host: db, port: 5432}\n"
                        + "  grpc: {host: db, port: 9090}"), "spec.checks[0]",
                        "exactly one of httpGet, tcpSocket or grpc must be set"),
                bad("duplicate check names", checks(VALID_CHECK + VALID_CHECK), "spec.checks",
                        "check names must be unique"),
                bad("more than 64 checks", checks(IntStream.range(0, 65)
                        .mapToObj(i -> "- name: c" + i + "\n  tcpSocket: {host: db, port: 5432}")
                        .collect(Collectors.joining("\n"))), "spec.checks", "must have at most 64 items"),
                bad("check timeout not below its period", checks("- name: api\n  periodSeconds: 3\n"
                        + "  timeoutSeconds: 3\n  tcpSocket: {host: db, port: 5432}"), "spec.checks",
                        "timeoutSeconds"),
                bad("check periodSeconds below 1", checks("- name: api\n  periodSeconds: 0\n"
                        + "  tcpSocket: {host: db, port: 5432}"), "spec.checks[0].periodSeconds",
                        "greater than or equal to 1"),
                bad("critical not a boolean", checks("- name: api\n  critical: maybe\n"
                        + "  tcpSocket: {host: db, port: 5432}"), "spec.checks[0].critical",
                        "must be of type boolean"),
                bad("flapDetection window below 2", flapDetection("window: 1"),
                        "spec.checks[0].flapDetection.window", "greater than or equal to 2"),
                bad("flapDetection window above 100", flapDetection("window: 101"),
                        "spec.checks[0].flapDetection.window", "less than or equal to 100"),
                bad("flapDetection maxTransitions below 1", flapDetection("maxTransitions: 0"),
                        "spec.checks[0].flapDetection.maxTransitions", "greater than or equal to 1"),
                bad("flapDetection maxTransitions equal to window", flapDetection("window: 5, maxTransitions: 5"),
                        "spec.checks[0].flapDetection.maxTransitions", "maxTransitions must be less than window"),
                bad("flapDetection maxTransitions not below the default window", flapDetection("maxTransitions: 20"),
                        "spec.checks[0].flapDetection.maxTransitions", "maxTransitions must be less than window"),
                bad("flapDetection default maxTransitions not below a window of 4", flapDetection("window: 4"),
                        "spec.checks[0].flapDetection.maxTransitions", "maxTransitions must be less than window"),
                bad("flapDetection enabled not a boolean", flapDetection("enabled: sometimes"),
                        "spec.checks[0].flapDetection.enabled", "must be of type boolean"),
                bad("httpGet with url and host", checks("- name: api\n  httpGet: {url: \"http://a.b/\", host: a.b, "
                        + "port: 80}"), "spec.checks[0].httpGet", "set either url or host"),
                bad("httpGet with neither url nor host", checks("- name: api\n  httpGet: {path: /ready}"),
                        "spec.checks[0].httpGet", "set either url or host"),
                bad("httpGet host without port", checks("- name: api\n  httpGet: {host: a.b, path: /ready}"),
                        "spec.checks[0].httpGet.port", "port is required with host"),
                bad("httpGet url with path", checks("- name: api\n  httpGet: {url: \"http://a.b/\", path: /x}"),
                        "spec.checks[0].httpGet", "port, path and scheme go with host"),
                bad("httpGet url not http", checks("- name: api\n  httpGet: {url: \"ftp://a.b/x\"}"),
                        "spec.checks[0].httpGet.url", "absolute http:// or https:// URL"),
                bad("httpGet relative url", checks("- name: api\n  httpGet: {url: \"/ready\"}"),
                        "spec.checks[0].httpGet.url", "absolute http:// or https:// URL"),
                bad("httpGet scheme not HTTP/HTTPS", checks("- name: api\n  httpGet: {host: a.b, port: 80, "
                        + "scheme: FTP}"), "spec.checks[0].httpGet.scheme", "Unsupported value"),
                bad("httpGet path without leading slash", checks("- name: api\n  httpGet: {host: a.b, port: 80, "
                        + "path: ready}"), "spec.checks[0].httpGet.path", "should match"),
                bad("httpGet port above 65535", checks("- name: api\n  httpGet: {host: a.b, port: 70000}"),
                        "spec.checks[0].httpGet.port", "less than or equal to 65535"),
                bad("expected status outside 100-599", checks("- name: api\n  httpGet: {url: \"http://a.b/\", "
                        + "expectedStatuses: [200, 700]}"), "spec.checks[0].httpGet.expectedStatuses",
                        "100-599"),
                bad("header name with a space", checks("- name: api\n  httpGet: {url: \"http://a.b/\", "
                        + "httpHeaders: [{name: \"X Probe\", value: \"1\"}]}"),
                        "spec.checks[0].httpGet.httpHeaders[0].name", "should match"),
                bad("header value with a control character", checks("- name: api\n  httpGet: {url: \"http://a.b/\", "
                        + "httpHeaders: [{name: X-Probe, value: \"a\\u0001b\"}]}"),
                        "spec.checks[0].httpGet.httpHeaders[0].value", "should match"),
                bad("header value with a line break", checks("- name: api\n  httpGet: {url: \"http://a.b/\", "
                        + "httpHeaders: [{name: X-Probe, value: \"a\\r\\nX-Injected: 1\"}]}"),
                        "spec.checks[0].httpGet.httpHeaders[0].value", "should match"),
                bad("followRedirects not a boolean", checks("- name: api\n  httpGet: {url: \"http://a.b/\", "
                        + "followRedirects: sometimes}"), "spec.checks[0].httpGet.followRedirects",
                        "must be of type boolean"),
                bad("header without value", checks("- name: api\n  httpGet: {url: \"http://a.b/\", "
                        + "httpHeaders: [{name: X-Probe}]}"), "spec.checks[0].httpGet.httpHeaders[0].value",
                        "Required value"),
                bad("jsonBody path not starting with $", checks("- name: api\n  httpGet: {url: \"http://a.b/\", "
                        + "jsonBody: [{path: status, equals: UP}]}"), "spec.checks[0].httpGet.jsonBody[0].path",
                        "should match"),
                bad("jsonBody without equals", checks("- name: api\n  httpGet: {url: \"http://a.b/\", "
                        + "jsonBody: [{path: $.status}]}"), "spec.checks[0].httpGet.jsonBody[0].equals",
                        "Required value"),
                bad("tcpSocket without port", checks("- name: db\n  tcpSocket: {host: db}"),
                        "spec.checks[0].tcpSocket.port", "Required value"),
                bad("tcpSocket host with a slash", checks("- name: db\n  tcpSocket: {host: \"db/x\", port: 1}"),
                        "spec.checks[0].tcpSocket.host", "should match"),
                bad("grpc port 0", checks("- name: rpc\n  grpc: {host: grpc.shop.svc, port: 0}"),
                        "spec.checks[0].grpc.port", "greater than or equal to 1"),
                bad("grpc without host", checks("- name: rpc\n  grpc: {port: 9090}"),
                        "spec.checks[0].grpc.host", "Required value"),
                bad("diagnostics enabled without token", "diagnostics: {enabled: true}",
                        "spec.diagnostics.tokenSecretRef", "tokenSecretRef is required"),
                bad("diagnostics on the health port", "port: 9000\ndiagnostics: {enabled: true, port: 9000, "
                        + "tokenSecretRef: {name: diag, key: token}}", "spec.diagnostics.port",
                        "diagnostics.port must differ from port"),
                bad("token secret name with uppercase", "diagnostics: {enabled: true, "
                        + "tokenSecretRef: {name: Diag, key: token}}", "spec.diagnostics.tokenSecretRef.name",
                        "should match"),
                bad("token secret without key", "diagnostics: {enabled: true, tokenSecretRef: {name: diag}}",
                        "spec.diagnostics.tokenSecretRef.key", "Required value"),
                bad("image longer than 512", "image: " + "a".repeat(513), "spec.image", "512"),
                bad("diagnostics port above 65535", "diagnostics: {enabled: false, port: 65536}",
                        "spec.diagnostics.port", "less than or equal to 65535"),
                bad("diagnostics enabled not a boolean", "diagnostics: {enabled: sometimes}",
                        "spec.diagnostics.enabled", "must be of type boolean"),
                bad("token key with a slash", "diagnostics: {enabled: true, tokenSecretRef: {name: diag, "
                        + "key: a/b}}", "spec.diagnostics.tokenSecretRef.key", "should match"),
                bad("nodeSelector value not a string", "nodeSelector: {disk: 1}", "spec.nodeSelector.disk",
                        "must be of type string"),
                bad("tolerations not a list", "tolerations: {key: x}", "spec.tolerations", "must be of type array"),
                bad("affinity not an object", "affinity: anywhere", "spec.affinity", "must be of type object"),
                bad("podAnnotations value not a string", "podAnnotations: {owner: 7}", "spec.podAnnotations.owner",
                        "must be of type string"),
                bad("grpc service longer than 253", checks("- name: rpc\n  grpc: {host: a.b, port: 1, service: "
                        + "s".repeat(254) + "}"), "spec.checks[0].grpc.service", "253"),
                bad("podLabels with an operator label", "podLabels: {app.kubernetes.io/name: other}",
                        "spec.podLabels", "must not set app.kubernetes.io/ labels"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badResources")
    void refusesWithTheFieldNamed(String rule, String spec, String field, String fragment) {
        KubernetesClientException refused = assertThrows(KubernetesClientException.class,
                () -> client.resource(healthCheck(spec)).create(), rule + " was accepted");
        assertEquals(422, refused.getCode(), refused.getMessage());
        assertTrue(refused.getMessage().contains(field + ":"),
                "the message should name " + field + ": " + refused.getMessage());
        assertTrue(refused.getMessage().contains(fragment),
                "the message should say '" + fragment + "': " + refused.getMessage());
    }

    @Test
    void acceptsTheFullExampleAndAppliesDefaults() {
        GenericKubernetesResource created = client.resource(healthCheck("""
                checks:
                  - name: api
                    critical: true
                    httpGet:
                      url: "http://checkout.shop.svc:8080/ready"
                      httpHeaders: [{name: Authorization, value: "Bearer a\\tb c"}]
                      expectedStatuses: [200]
                      jsonBody: [{path: "$.status", equals: "UP"}]
                  - name: web
                    httpGet: {host: checkout.shop.svc, port: 8080, path: /ready, scheme: HTTPS}
                  - name: db
                    periodSeconds: 30
                    timeoutSeconds: 5
                    tcpSocket: {host: postgres.shop.svc, port: 5432}
                  - name: rpc
                    grpc: {host: 10.0.0.12, port: 9090}
                diagnostics: {enabled: true, port: 9000, tokenSecretRef: {name: diag-token, key: token}}
                resources: {requests: {cpu: 10m}}
                nodeSelector: {kubernetes.io/os: linux}
                tolerations: [{key: dedicated, operator: Equal, value: probes, effect: NoSchedule}]
                podLabels: {team: shop}
                podAnnotations: {example.com/owner: shop}
                """)).create();

        @SuppressWarnings("unchecked")
        var spec = (Map<String, Object>) created.getAdditionalProperties().get("spec");
        assertEquals(1, spec.get("replicas"));
        assertEquals(8080, spec.get("port"));
        assertEquals(10, spec.get("periodSeconds"));
        assertEquals(2, spec.get("timeoutSeconds"));
        assertEquals(3, spec.get("failureThreshold"));
        assertEquals(1, spec.get("successThreshold"));
        @SuppressWarnings("unchecked")
        var checks = (java.util.List<Map<String, Object>>) spec.get("checks");
        @SuppressWarnings("unchecked")
        var httpGet = (Map<String, Object>) checks.get(0).get("httpGet");
        assertEquals(true, httpGet.get("followRedirects"), "redirects are followed unless turned off");
        @SuppressWarnings("unchecked")
        var header = ((java.util.List<Map<String, Object>>) httpGet.get("httpHeaders")).get(0);
        assertEquals("Bearer a\tb c", header.get("value"), "tabs and spaces are allowed in header values");
    }

    @Test
    void flapDetectionGetsItsDefaultsAndAcceptsItsBounds() {
        GenericKubernetesResource created = client.resource(healthCheck(checks("""
                - {name: a, tcpSocket: {host: db, port: 1}, flapDetection: {}}
                - {name: b, tcpSocket: {host: db, port: 1}, flapDetection: {window: 2, maxTransitions: 1}}
                - {name: c, tcpSocket: {host: db, port: 1}, flapDetection: {window: 100, maxTransitions: 99}}
                - {name: d, tcpSocket: {host: db, port: 1}}
                """))).create();

        @SuppressWarnings("unchecked")
        var checks = (java.util.List<Map<String, Object>>) ((Map<String, Object>) created.getAdditionalProperties()
                .get("spec")).get("checks");
        assertEquals(Map.of("enabled", true, "window", 20, "maxTransitions", 4), checks.get(0).get("flapDetection"));
        assertEquals(Map.of("enabled", true, "window", 2, "maxTransitions", 1), checks.get(1).get("flapDetection"));
        assertEquals(Map.of("enabled", true, "window", 100, "maxTransitions", 99), checks.get(2).get("flapDetection"));
        assertEquals(null, checks.get(3).get("flapDetection"), "left out, it stays out (the sidecar's defaults apply)");
    }

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(ControlPlane.CRD_FILE.getParent().resolveSibling("examples"))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void theExamplesAreAccepted(Path example) throws IOException {
        GenericKubernetesResource resource = client.getKubernetesSerialization()
                .unmarshal(Files.readString(example), GenericKubernetesResource.class);
        resource.getMetadata().setNamespace(namespace);
        client.resource(resource).create();
    }

    @Test
    void acceptsAnEmptySpec() {
        client.resource(healthCheck("{}")).create();
    }

    private static Arguments bad(String rule, String spec, String field, String fragment) {
        return Arguments.of(rule, spec, field, fragment);
    }

    private static String flapDetection(String fields) {
        return checks("- name: a\n  tcpSocket: {host: db, port: 1}\n  flapDetection: {" + fields + "}");
    }

    private static String checks(String items) {
        return "checks:\n" + items.indent(2);
    }

    private static GenericKubernetesResource healthCheck(String specYaml) {
        String yaml = """
                apiVersion: healthcheck-operator.dev/v1alpha1
                kind: HealthCheck
                metadata:
                  name: hc-%d
                  namespace: %s
                spec:
                %s""".formatted(++counter, namespace, specYaml.indent(2));
        return client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    }
}
