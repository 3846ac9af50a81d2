package dev.healthcheckoperator.operator.crd.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
                        "exactly one of httpGet, tcpSocket, grpc, dns or tlsCertificate must be set"),
                bad("check with two handlers", checks("- name: api\n  tcpSocket: {host: db, port: 5432}\n"
                        + "  grpc: {host: db, port: 9090}"), "spec.checks[0]",
                        "exactly one of httpGet, tcpSocket, grpc, dns or tlsCertificate must be set"),
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
                        + "httpHeaders: [{name: X-Probe}]}"), "spec.checks[0].httpGet.httpHeaders[0]",
                        "set exactly one of value or valueFrom"),
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


    /** Header values from Secrets and TLS options: each rule, and the field it names. */
    static Stream<Arguments> badSecretAndTlsReferences() {
        return Stream.of(
                bad("spec.checks[0].httpGet.httpHeaders[0]: set exactly one of value or valueFrom", checks("- {name: c, httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, value: v, valueFrom: {secretKeyRef: {name: s, key: k}}}]}}"), "spec.checks[0].httpGet.httpHeaders[0]", "set exactly one of value or valueFrom"),
                bad("spec.checks[0].httpGet.httpHeaders[0]: set exactly one of value or valueFrom", checks("- {name: c, httpGet: {url: 'http://a.b/', httpHeaders: [{name: X}]}}"), "spec.checks[0].httpGet.httpHeaders[0]", "set exactly one of value or valueFrom"),
                bad("spec.checks[0].httpGet.httpHeaders[0].valueFrom: a Host header takes a value, not valueFrom", checks("- {name: c, httpGet: {url: 'http://a.b/', httpHeaders: [{name: HOST, valueFrom: {secretKeyRef: {name: s, key: k}}}]}}"), "spec.checks[0].httpGet.httpHeaders[0].valueFrom", "a Host header takes a value, not valueFrom"),
                bad("spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef: Required value", checks("- {name: c, httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, valueFrom: {}}]}}"), "spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef", "Required value"),
                bad("spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.name: Required value", checks("- {name: c, httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, valueFrom: {secretKeyRef: {key: k}}}]}}"), "spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.name", "Required value"),
                bad("spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.name: should match", checks("- {name: c, httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, valueFrom: {secretKeyRef: {name: S, key: k}}}]}}"), "spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.name", "should match"),
                bad("spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.key: Required value", checks("- {name: c, httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, valueFrom: {secretKeyRef: {name: s}}}]}}"), "spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.key", "Required value"),
                bad("spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.key: should match", checks("- {name: c, httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, valueFrom: {secretKeyRef: {name: s, key: 'a/b'}}}]}}"), "spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.key", "should match"),
                bad("spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.key: key must not be '.' or start with '..'", checks("- {name: c, httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, valueFrom: {secretKeyRef: {name: s, key: '..data'}}}]}}"), "spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.key", "key must not be '.' or start with '..'"),
                bad("spec.checks[0].httpGet.tls: tls goes with an https:// url or scheme HTTPS", checks("- {name: c, httpGet: {url: 'http://a.b/', tls: {serverName: a.b}}}"), "spec.checks[0].httpGet.tls", "tls goes with an https:// url or scheme HTTPS"),
                bad("spec.checks[0].httpGet.tls: tls goes with an https:// url or scheme HTTPS", checks("- {name: c, httpGet: {host: a.b, port: 80, tls: {serverName: a.b}}}"), "spec.checks[0].httpGet.tls", "tls goes with an https:// url or scheme HTTPS"),
                bad("spec.checks[0].httpGet.tls.caBundleRef: set exactly one of configMapKeyRef or secretKeyRef", checks("- {name: c, httpGet: {url: 'https://a.b/', tls: {caBundleRef: {}}}}"), "spec.checks[0].httpGet.tls.caBundleRef", "set exactly one of configMapKeyRef or secretKeyRef"),
                bad("spec.checks[0].httpGet.tls.caBundleRef: set exactly one of configMapKeyRef or secretKeyRef", checks("- {name: c, httpGet: {url: 'https://a.b/', tls: {caBundleRef: {configMapKeyRef: {name: c, key: ca.crt}, secretKeyRef: {name: s, key: ca.crt}}}}}"), "spec.checks[0].httpGet.tls.caBundleRef", "set exactly one of configMapKeyRef or secretKeyRef"),
                bad("spec.checks[0].httpGet.tls.caBundleRef.configMapKeyRef.key: Required value", checks("- {name: c, httpGet: {url: 'https://a.b/', tls: {caBundleRef: {configMapKeyRef: {name: c}}}}}"), "spec.checks[0].httpGet.tls.caBundleRef.configMapKeyRef.key", "Required value"),
                bad("spec.checks[0].httpGet.tls.caBundleRef.configMapKeyRef.key: key must not be '.' or start with '..'", checks("- {name: c, httpGet: {url: 'https://a.b/', tls: {caBundleRef: {configMapKeyRef: {name: c, key: '.'}}}}}"), "spec.checks[0].httpGet.tls.caBundleRef.configMapKeyRef.key", "key must not be '.' or start with '..'"),
                bad("spec.checks[0].httpGet.tls.caBundleRef.secretKeyRef.name: should match", checks("- {name: c, httpGet: {url: 'https://a.b/', tls: {caBundleRef: {secretKeyRef: {name: 'a_b', key: ca.crt}}}}}"), "spec.checks[0].httpGet.tls.caBundleRef.secretKeyRef.name", "should match"),
                bad("spec.checks[0].httpGet.tls.caBundleRef: caBundleRef has no effect with insecureSkipTlsVerify", checks("- {name: c, httpGet: {url: 'https://a.b/', tls: {caBundleRef: {secretKeyRef: {name: s, key: ca.crt}}, insecureSkipTlsVerify: true}}}"), "spec.checks[0].httpGet.tls.caBundleRef", "caBundleRef has no effect with insecureSkipTlsVerify"),
                bad("spec.checks[0].httpGet.tls.clientCertificateSecretRef.name: Required value", checks("- {name: c, httpGet: {url: 'https://a.b/', tls: {clientCertificateSecretRef: {}}}}"), "spec.checks[0].httpGet.tls.clientCertificateSecretRef.name", "Required value"),
                bad("spec.checks[0].httpGet.tls.clientCertificateSecretRef.name: should match", checks("- {name: c, httpGet: {url: 'https://a.b/', tls: {clientCertificateSecretRef: {name: 'C'}}}}"), "spec.checks[0].httpGet.tls.clientCertificateSecretRef.name", "should match"),
                bad("spec.checks[0].httpGet.tls.serverName: should match", checks("- {name: c, httpGet: {url: 'https://a.b/', tls: {serverName: 'a b'}}}"), "spec.checks[0].httpGet.tls.serverName", "should match"),
                bad("spec.checks[0].httpGet.tls.serverName: should match", checks("- {name: c, httpGet: {url: 'https://a.b/', tls: {serverName: 'a.b:443'}}}"), "spec.checks[0].httpGet.tls.serverName", "should match"),
                bad("spec.checks[0].httpGet.tls.insecureSkipTlsVerify: must be of type boolean", checks("- {name: c, httpGet: {url: 'https://a.b/', tls: {insecureSkipTlsVerify: 'yes'}}}"), "spec.checks[0].httpGet.tls.insecureSkipTlsVerify", "must be of type boolean"),
                bad("spec.checks[0].grpc.tls.caBundleRef: set exactly one of configMapKeyRef or secretKeyRef", checks("- {name: c, grpc: {host: a.b, port: 1, tls: {caBundleRef: {}}}}"), "spec.checks[0].grpc.tls.caBundleRef", "set exactly one of configMapKeyRef or secretKeyRef"),
                bad("spec.checks[0].grpc.tls.serverName: should match", checks("- {name: c, grpc: {host: a.b, port: 1, tls: {serverName: '-a'}}}"), "spec.checks[0].grpc.tls.serverName", "should match"),
                bad("spec.checks[0].grpc.tls.caBundleRef: caBundleRef has no effect with insecureSkipTlsVerify", checks("- {name: c, grpc: {host: a.b, port: 1, tls: {clientCertificateSecretRef: {name: c}, caBundleRef: {configMapKeyRef: {name: c, key: k}}, insecureSkipTlsVerify: true}}}"), "spec.checks[0].grpc.tls.caBundleRef", "caBundleRef has no effect with insecureSkipTlsVerify"));
    }

    /** The rules of the dns and tlsCertificate checks, and of httpGet's method and body. */
    static Stream<Arguments> badNewCheckFields() {
        return Stream.of(
                bad("dns and tlsCertificate in one check", checks("- name: x\n  dns: {name: shop.test, recordType: A}\n"
                        + "  tlsCertificate: {host: shop.test, port: 443}"), "spec.checks[0]",
                        "exactly one of httpGet, tcpSocket, grpc, dns or tlsCertificate must be set"),
                bad("dns without name", checks("- name: x\n  dns: {recordType: A}"), "spec.checks[0].dns.name",
                        "Required value"),
                bad("dns name with a space", checks("- name: x\n  dns: {name: \"a b\", recordType: A}"),
                        "spec.checks[0].dns.name", "should match"),
                bad("dns name longer than 253", checks("- name: x\n  dns: {name: " + "a.".repeat(127) + "b, "
                        + "recordType: A}"), "spec.checks[0].dns.name", "253"),
                bad("dns without recordType", checks("- name: x\n  dns: {name: shop.test}"),
                        "spec.checks[0].dns.recordType", "Required value"),
                bad("dns recordType PTR", checks("- name: x\n  dns: {name: shop.test, recordType: PTR}"),
                        "spec.checks[0].dns.recordType", "Unsupported value"),
                bad("dns match neither all nor any", checks("- name: x\n  dns: {name: shop.test, recordType: A, "
                        + "expectedValues: [10.0.0.1], match: most}"), "spec.checks[0].dns.match", "Unsupported value"),
                bad("dns match without expectedValues", checks("- name: x\n  dns: {name: shop.test, recordType: A, "
                        + "match: any}"), "spec.checks[0].dns.match", "match goes with expectedValues"),
                bad("dns A expecting an IPv6 address", checks("- name: x\n  dns: {name: shop.test, recordType: A, "
                        + "expectedValues: [\"fd00::1\"]}"), "spec.checks[0].dns.expectedValues",
                        "must be IPv4 addresses"),
                bad("dns AAAA expecting an IPv4 address", checks("- name: x\n  dns: {name: shop.test, "
                        + "recordType: AAAA, expectedValues: [10.0.0.1]}"), "spec.checks[0].dns.expectedValues",
                        "must be IPv6 addresses"),
                bad("dns empty expected value", checks("- name: x\n  dns: {name: shop.test, recordType: TXT, "
                        + "expectedValues: [\"\"]}"), "spec.checks[0].dns.expectedValues[0]", "at least 1"),
                bad("dns more than 32 expected values", checks("- name: x\n  dns: {name: shop.test, recordType: TXT, "
                        + "expectedValues: [" + "v,".repeat(32) + "v]}"), "spec.checks[0].dns.expectedValues",
                        "must have at most 32 items"),
                bad("dns server with a path", checks("- name: x\n  dns: {name: shop.test, recordType: A, "
                        + "server: \"10.0.0.10/53\"}"), "spec.checks[0].dns.server", "should match"),
                bad("dns server port 0", checks("- name: x\n  dns: {name: shop.test, recordType: A, "
                        + "server: \"10.0.0.10:0\"}"), "spec.checks[0].dns.server", "should match"),
                bad("tlsCertificate without port", checks("- name: x\n  tlsCertificate: {host: shop.test}"),
                        "spec.checks[0].tlsCertificate.port", "Required value"),
                bad("tlsCertificate serverName with a slash", checks("- name: x\n  tlsCertificate: {host: shop.test, "
                        + "port: 443, serverName: \"a/b\"}"), "spec.checks[0].tlsCertificate.serverName",
                        "should match"),
                bad("tlsCertificate expiresWithinDays above 365", checks("- name: x\n  tlsCertificate: "
                        + "{host: shop.test, port: 443, expiresWithinDays: 366}"),
                        "spec.checks[0].tlsCertificate.expiresWithinDays", "less than or equal to 365"),
                bad("tlsCertificate expiresWithinDays negative", checks("- name: x\n  tlsCertificate: "
                        + "{host: shop.test, port: 443, expiresWithinDays: -1}"),
                        "spec.checks[0].tlsCertificate.expiresWithinDays", "greater than or equal to 0"),
                bad("tlsCertificate insecureSkipTlsVerify not a boolean", checks("- name: x\n  tlsCertificate: "
                        + "{host: shop.test, port: 443, insecureSkipTlsVerify: maybe}"),
                        "spec.checks[0].tlsCertificate.insecureSkipTlsVerify", "must be of type boolean"),
                bad("httpGet method PUT", checks("- name: x\n  httpGet: {url: \"http://a.b/\", method: PUT}"),
                        "spec.checks[0].httpGet.method", "Unsupported value"),
                bad("httpGet body with GET", checks("- name: x\n  httpGet: {url: \"http://a.b/\", "
                        + "body: {value: x}}"), "spec.checks[0].httpGet.body", "body is sent only with method POST"),
                bad("httpGet body without value or valueFrom", checks("- name: x\n  httpGet: {url: \"http://a.b/\", "
                        + "method: POST, body: {}}"), "spec.checks[0].httpGet.body.value",
                        "set exactly one of value or valueFrom"),
                bad("httpGet body with value and valueFrom", checks("- name: x\n  httpGet: {url: \"http://a.b/\", "
                        + "method: POST, body: {value: x, valueFrom: {secretKeyRef: {name: q, key: query}}}}"),
                        "spec.checks[0].httpGet.body.value", "set exactly one of value or valueFrom"),
                bad("httpGet body valueFrom without secretKeyRef", checks("- name: x\n  httpGet: {url: "
                        + "\"http://a.b/\", method: POST, body: {valueFrom: {}}}"),
                        "spec.checks[0].httpGet.body.valueFrom.secretKeyRef", "Required value"),
                bad("httpGet body valueFrom without key", checks("- name: x\n  httpGet: {url: \"http://a.b/\", "
                        + "method: POST, body: {valueFrom: {secretKeyRef: {name: q}}}}"),
                        "spec.checks[0].httpGet.body.valueFrom.secretKeyRef.key", "Required value"),
                bad("httpGet body valueFrom with a bad Secret name", checks("- name: x\n  httpGet: {url: "
                        + "\"http://a.b/\", method: POST, body: {valueFrom: {secretKeyRef: {name: Q, key: query}}}}"),
                        "spec.checks[0].httpGet.body.valueFrom.secretKeyRef.name", "should match"),
                bad("httpGet body valueFrom with GET", checks("- name: x\n  httpGet: {url: \"http://a.b/\", "
                        + "body: {valueFrom: {secretKeyRef: {name: q, key: query}}}}"), "spec.checks[0].httpGet.body",
                        "body is sent only with method POST"),
                bad("tlsCertificate serverName given twice", checks("- name: x\n  tlsCertificate: {host: shop.test, "
                        + "port: 443, serverName: a.test, tls: {serverName: b.test}}"),
                        "spec.checks[0].tlsCertificate.tls.serverName", "set serverName or tls.serverName, not both"),
                bad("tlsCertificate tls.caBundleRef with insecureSkipTlsVerify", checks("- name: x\n  tlsCertificate: "
                        + "{host: shop.test, port: 443, insecureSkipTlsVerify: true, tls: {caBundleRef: "
                        + "{configMapKeyRef: {name: ca, key: ca.crt}}}}"), "spec.checks[0].tlsCertificate.tls.caBundleRef",
                        "tls.caBundleRef has no effect with insecureSkipTlsVerify"),
                bad("tlsCertificate tls.caBundleRef with tls.insecureSkipTlsVerify", checks("- name: x\n  "
                        + "tlsCertificate: {host: shop.test, port: 443, tls: {insecureSkipTlsVerify: true, caBundleRef: "
                        + "{secretKeyRef: {name: ca, key: ca.crt}}}}"), "spec.checks[0].tlsCertificate.tls.caBundleRef",
                        "caBundleRef has no effect with insecureSkipTlsVerify"),
                bad("tlsCertificate tls.caBundleRef with neither ref", checks("- name: x\n  tlsCertificate: "
                        + "{host: shop.test, port: 443, tls: {caBundleRef: {}}}"),
                        "spec.checks[0].tlsCertificate.tls.caBundleRef", "set exactly one of configMapKeyRef or secretKeyRef"),
                bad("tlsCertificate tls.clientCertificateSecretRef without name", checks("- name: x\n  tlsCertificate: "
                        + "{host: shop.test, port: 443, tls: {clientCertificateSecretRef: {}}}"),
                        "spec.checks[0].tlsCertificate.tls.clientCertificateSecretRef.name", "Required value"),
                bad("tlsCertificate tls.serverName with a port", checks("- name: x\n  tlsCertificate: "
                        + "{host: shop.test, port: 443, tls: {serverName: \"a.test:443\"}}"),
                        "spec.checks[0].tlsCertificate.tls.serverName", "should match"),
                bad("httpGet body longer than 8192", checks("- name: x\n  httpGet: {url: \"http://a.b/\", "
                        + "method: POST, body: {value: " + "x".repeat(8193) + "}}"),
                        "spec.checks[0].httpGet.body.value", "8192"),
                bad("httpGet contentType without body", checks("- name: x\n  httpGet: {url: \"http://a.b/\", "
                        + "method: POST, contentType: application/json}"), "spec.checks[0].httpGet.contentType",
                        "contentType goes with body"),
                bad("httpGet contentType not a media type", checks("- name: x\n  httpGet: {url: \"http://a.b/\", "
                        + "method: POST, body: {value: x}, contentType: json}"), "spec.checks[0].httpGet.contentType",
                        "should match"),
                bad("httpGet HEAD with jsonBody", checks("- name: x\n  httpGet: {url: \"http://a.b/\", method: HEAD, "
                        + "jsonBody: [{path: $.status, equals: UP}]}"), "spec.checks[0].httpGet.jsonBody",
                        "a HEAD response has no body"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"badResources", "badSecretAndTlsReferences", "badNewCheckFields"})
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
                  - name: resolver
                    dns: {name: shop.example.com., recordType: AAAA, expectedValues: ["fd00::1", "fd00::2"],
                          match: any, server: "[fd00::53]:53"}
                  - name: mail
                    dns: {name: shop.example.com, recordType: MX, expectedValues: ["10 mail.shop.example.com"]}
                  - name: sip
                    dns: {name: _sip._tcp.shop.example.com, recordType: SRV, expectedValues: ["0 5 5060 sip.shop.example.com"]}
                  - name: cert
                    tlsCertificate: {host: checkout.shop.svc, port: 8443, serverName: shop.example.com,
                                     expiresWithinDays: 30}
                  - name: graphql
                    httpGet: {url: "http://checkout.shop.svc:8080/graphql", method: POST,
                              body: {value: "{\\"query\\":\\"{ health }\\"}"}, contentType: "application/json; charset=utf-8"}
                  - name: head
                    httpGet: {url: "http://checkout.shop.svc:8080/", method: HEAD}
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
        // No schema default for method or the dns/tls options: a checks file rendered before they existed stays the
        // same, so an operator upgrade rolls no sidecar.
        assertFalse(httpGet.containsKey("method"), "method is left to the sidecar's default, GET");
        @SuppressWarnings("unchecked")
        var dns = (Map<String, Object>) checks.get(4).get("dns");
        assertEquals("any", dns.get("match"));
        assertEquals(List.of("fd00::1", "fd00::2"), dns.get("expectedValues"));
        @SuppressWarnings("unchecked")
        var header = ((java.util.List<Map<String, Object>>) httpGet.get("httpHeaders")).get(0);
        assertEquals("Bearer a\tb c", header.get("value"), "tabs and spaces are allowed in header values");
    }

    @Test
    void acceptsSecretHeadersAndTlsOptionsAndAppliesTheirDefaults() {
        GenericKubernetesResource created = client.resource(healthCheck("""
                checks:
                  - name: api
                    httpGet:
                      url: "https://checkout.shop.svc:8443/ready"
                      httpHeaders:
                        - {name: Authorization, valueFrom: {secretKeyRef: {name: api-token, key: token}}}
                        - {name: X-Probe, value: "1"}
                      tls:
                        caBundleRef: {configMapKeyRef: {name: shop-ca, key: ca.crt}}
                        clientCertificateSecretRef: {name: probe-client}
                        serverName: checkout.shop.internal
                  - name: web
                    httpGet: {host: checkout.shop.svc, port: 8443, scheme: HTTPS, tls: {insecureSkipTlsVerify: true}}
                  - name: rpc
                    grpc:
                      host: grpc.shop.svc
                      port: 9090
                      tls: {caBundleRef: {secretKeyRef: {name: grpc-ca, key: ca.crt}}}
                  - name: rpc-default-trust
                    grpc: {host: grpc.shop.svc, port: 9091, tls: {}}
                  - name: cert
                    tlsCertificate:
                      host: checkout.shop.svc
                      port: 8443
                      tls:
                        caBundleRef: {configMapKeyRef: {name: shop-ca, key: ca.crt}}
                        clientCertificateSecretRef: {name: probe-client}
                        serverName: checkout.shop.internal
                  - name: graphql
                    httpGet:
                      url: "http://checkout.shop.svc:8080/graphql"
                      method: POST
                      body: {valueFrom: {secretKeyRef: {name: graphql-query, key: query}}}
                """)).create();
        @SuppressWarnings("unchecked")
        var checks = (List<Map<String, Object>>) ((Map<String, Object>) created.getAdditionalProperties().get("spec"))
                .get("checks");
        @SuppressWarnings("unchecked")
        var tls = (Map<String, Object>) ((Map<String, Object>) checks.get(0).get("httpGet")).get("tls");
        assertEquals(false, tls.get("insecureSkipTlsVerify"), "verification is on unless turned off");
        @SuppressWarnings("unchecked")
        var grpcTls = (Map<String, Object>) ((Map<String, Object>) checks.get(3).get("grpc")).get("tls");
        assertEquals(Map.of("insecureSkipTlsVerify", false), grpcTls, "an empty tls means TLS with default trust");
        @SuppressWarnings("unchecked")
        var certTls = (Map<String, Object>) ((Map<String, Object>) checks.get(4).get("tlsCertificate")).get("tls");
        assertEquals(false, certTls.get("insecureSkipTlsVerify"));
        assertEquals("checkout.shop.internal", certTls.get("serverName"));
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
