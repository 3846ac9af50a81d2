package dev.healthcheckoperator.operator.crd.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The schema rules of header values from Secrets and of TLS options, each tried against a real API server with the
 * checked-in CRD: refused with a message naming the field. No operator runs here.
 */
class SecretAndTlsSchemaTest {

    private static KubernetesClient client;
    private static String namespace;
    private static int counter;

    @BeforeAll
    static void startApiServer() {
        client = ControlPlane.newClient();
        ControlPlane.applyCrd(client);
        namespace = ControlPlane.createNamespace(client, "schema-refs");
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    /** Each row: a check (YAML flow), the field the API server must name, and what it must say. */
    @ParameterizedTest(name = "{1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, value: v, valueFrom: {secretKeyRef: {name: s, key: k}}}]} | spec.checks[0].httpGet.httpHeaders[0] | set exactly one of value or valueFrom
            httpGet: {url: 'http://a.b/', httpHeaders: [{name: X}]}                                                      | spec.checks[0].httpGet.httpHeaders[0] | set exactly one of value or valueFrom
            httpGet: {url: 'http://a.b/', httpHeaders: [{name: HOST, valueFrom: {secretKeyRef: {name: s, key: k}}}]}    | spec.checks[0].httpGet.httpHeaders[0].valueFrom | a Host header takes a value, not valueFrom
            httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, valueFrom: {}}]}                                       | spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef | Required value
            httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, valueFrom: {secretKeyRef: {key: k}}}]}                 | spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.name | Required value
            httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, valueFrom: {secretKeyRef: {name: S, key: k}}}]}        | spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.name | should match
            httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, valueFrom: {secretKeyRef: {name: s}}}]}                | spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.key | Required value
            httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, valueFrom: {secretKeyRef: {name: s, key: 'a/b'}}}]}    | spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.key | should match
            httpGet: {url: 'http://a.b/', httpHeaders: [{name: X, valueFrom: {secretKeyRef: {name: s, key: '..data'}}}]} | spec.checks[0].httpGet.httpHeaders[0].valueFrom.secretKeyRef.key | key must not be '.' or start with '..'
            httpGet: {url: 'http://a.b/', tls: {serverName: a.b}}                                                        | spec.checks[0].httpGet.tls | tls goes with an https:// url or scheme HTTPS
            httpGet: {host: a.b, port: 80, tls: {serverName: a.b}}                                                       | spec.checks[0].httpGet.tls | tls goes with an https:// url or scheme HTTPS
            httpGet: {url: 'https://a.b/', tls: {caBundleRef: {}}}                                                       | spec.checks[0].httpGet.tls.caBundleRef | set exactly one of configMapKeyRef or secretKeyRef
            httpGet: {url: 'https://a.b/', tls: {caBundleRef: {configMapKeyRef: {name: c, key: ca.crt}, secretKeyRef: {name: s, key: ca.crt}}}} | spec.checks[0].httpGet.tls.caBundleRef | set exactly one of configMapKeyRef or secretKeyRef
            httpGet: {url: 'https://a.b/', tls: {caBundleRef: {configMapKeyRef: {name: c}}}}                             | spec.checks[0].httpGet.tls.caBundleRef.configMapKeyRef.key | Required value
            httpGet: {url: 'https://a.b/', tls: {caBundleRef: {configMapKeyRef: {name: c, key: '.'}}}}                   | spec.checks[0].httpGet.tls.caBundleRef.configMapKeyRef.key | key must not be '.' or start with '..'
            httpGet: {url: 'https://a.b/', tls: {caBundleRef: {secretKeyRef: {name: 'a_b', key: ca.crt}}}}               | spec.checks[0].httpGet.tls.caBundleRef.secretKeyRef.name | should match
            httpGet: {url: 'https://a.b/', tls: {caBundleRef: {secretKeyRef: {name: s, key: ca.crt}}, insecureSkipTlsVerify: true}} | spec.checks[0].httpGet.tls.caBundleRef | caBundleRef has no effect with insecureSkipTlsVerify
            httpGet: {url: 'https://a.b/', tls: {clientCertificateSecretRef: {}}}                                        | spec.checks[0].httpGet.tls.clientCertificateSecretRef.name | Required value
            httpGet: {url: 'https://a.b/', tls: {clientCertificateSecretRef: {name: 'C'}}}                               | spec.checks[0].httpGet.tls.clientCertificateSecretRef.name | should match
            httpGet: {url: 'https://a.b/', tls: {serverName: 'a b'}}                                                     | spec.checks[0].httpGet.tls.serverName | should match
            httpGet: {url: 'https://a.b/', tls: {serverName: 'a.b:443'}}                                                 | spec.checks[0].httpGet.tls.serverName | should match
            httpGet: {url: 'https://a.b/', tls: {insecureSkipTlsVerify: 'yes'}}                                          | spec.checks[0].httpGet.tls.insecureSkipTlsVerify | must be of type boolean
            grpc: {host: a.b, port: 1, tls: {caBundleRef: {}}}                                                           | spec.checks[0].grpc.tls.caBundleRef | set exactly one of configMapKeyRef or secretKeyRef
            grpc: {host: a.b, port: 1, tls: {serverName: '-a'}}                                                          | spec.checks[0].grpc.tls.serverName | should match
            grpc: {host: a.b, port: 1, tls: {clientCertificateSecretRef: {name: c}, caBundleRef: {configMapKeyRef: {name: c, key: k}}, insecureSkipTlsVerify: true}} | spec.checks[0].grpc.tls.caBundleRef | caBundleRef has no effect with insecureSkipTlsVerify
            """)
    void refusesWithTheFieldNamed(String check, String field, String fragment) {
        KubernetesClientException refused = assertThrows(KubernetesClientException.class,
                () -> client.resource(healthCheck("checks:\n  - {name: c, " + check + "}\n")).create(),
                check + " was accepted");
        assertEquals(422, refused.getCode(), refused.getMessage());
        assertTrue(refused.getMessage().contains(field + ":"),
                "the message should name " + field + ": " + refused.getMessage());
        assertTrue(refused.getMessage().contains(fragment),
                "the message should say '" + fragment + "': " + refused.getMessage());
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
    }

    private static GenericKubernetesResource healthCheck(String specYaml) {
        String yaml = """
                apiVersion: healthcheck-operator.dev/v1alpha1
                kind: HealthCheck
                metadata:
                  name: refs-%d
                  namespace: %s
                spec:
                %s""".formatted(++counter, namespace, specYaml.indent(2));
        return client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    }
}
