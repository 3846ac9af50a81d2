package dev.healthcheckoperator.clustertests;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The API server refuses what the CRD's schema rules out, naming the field; the operator never hears of it. */
@ClusterTest
class SchemaIT {

    static Stream<Arguments> refusedSpecs() {
        return Stream.of(
                Arguments.of("timeout-not-below-period", """
                          periodSeconds: 5
                          timeoutSeconds: 5
                          checks:
                            - name: api
                              tcpSocket: {host: api.example.svc, port: 8080}
                        """, "spec.timeoutSeconds", "timeoutSeconds must be less than periodSeconds"),
                Arguments.of("two-handlers", """
                          checks:
                            - name: api
                              tcpSocket: {host: api.example.svc, port: 8080}
                              httpGet: {url: "http://api.example.svc:8080/ready"}
                        """, "spec.checks[0]", "exactly one of httpGet, tcpSocket, grpc, dns or tlsCertificate must be set"),
                Arguments.of("body-value-and-secret", """
                          checks:
                            - name: graphql
                              httpGet:
                                url: "http://api.example.svc:8080/graphql"
                                method: POST
                                body: {value: "{}", valueFrom: {secretKeyRef: {name: graphql-query, key: query}}}
                        """, "spec.checks[0].httpGet.body.value", "set exactly one of value or valueFrom"),
                Arguments.of("certificate-server-name-twice", """
                          checks:
                            - name: cert
                              tlsCertificate:
                                host: api.example.svc
                                port: 8443
                                serverName: api.example.com
                                tls: {serverName: api.example.org}
                        """, "spec.checks[0].tlsCertificate.tls.serverName", "set serverName or tls.serverName, not both"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedSpecs")
    void refusedByTheApiServer(String name, String spec, String field, String message, LocalCluster cluster) {
        String namespace = cluster.createNamespace("schema");
        Command.Result refused = cluster.kubectl().runWithInput(HealthChecks.manifest(namespace, name, spec),
                "apply", "-f", "-");

        assertThat(refused.exitCode()).as(refused.describe()).isNotZero();
        assertThat(refused.stderr()).contains(field).contains(message);
        assertThat(cluster.kubectl().ok("get", "healthchecks", "-n", namespace, "-o", "name")).isBlank();

        // A valid HealthCheck applied afterwards in the same namespace gets ready: by then the operator has seen
        // everything that happened there, and the refused one left no trace.
        cluster.kubectl().apply(HealthChecks.manifest(namespace, "accepted", 1));
        HealthChecks.awaitReady(cluster, namespace, "accepted", 1);
        assertThat(cluster.operator().logText()).doesNotContain(name);
        assertThat(cluster.client().events().v1().events().inNamespace(namespace).list().getItems())
                .noneMatch(e -> e.getRegarding() != null && name.equals(e.getRegarding().getName()));
        assertThat(cluster.client().apps().deployments().inNamespace(namespace).withName(
                HealthChecks.ownedName(name)).get()).isNull();
    }
}
