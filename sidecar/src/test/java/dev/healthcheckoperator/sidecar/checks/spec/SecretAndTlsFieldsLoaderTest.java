package dev.healthcheckoperator.sidecar.checks.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The checks-file fields that refer to mounted Secret and ConfigMap keys: header value files and TLS files. */
class SecretAndTlsFieldsLoaderTest {

    @TempDir
    Path dir;

    private List<Check> load(String checks) throws IOException {
        return ChecksFileLoader.load(Files.writeString(dir.resolve("checks.yaml"), "checks:\n" + checks));
    }

    @Test
    void headerFilesAndTlsFilesAreRead() throws IOException {
        List<Check> checks = load("""
                  - name: api
                    httpGet:
                      url: https://api.shop.svc/ready
                      httpHeaders: [{name: Authorization, valueFile: /s/token/token}]
                      tls: {caFile: /c/ca.crt, certFile: /s/client/tls.crt, keyFile: /s/client/tls.key,
                            serverName: api.shop.internal}
                  - name: grpc
                    grpc: {host: grpc.shop.svc, port: 9090, tls: {insecureSkipTlsVerify: true}}
                """);
        HttpGetAction http = checks.get(0).definition().httpGet();
        assertThat(http.headersOrEmpty().get(0).valueFile()).isEqualTo("/s/token/token");
        assertThat(http.headersOrEmpty().get(0).value()).isNull();
        assertThat(http.tlsOrDefault()).isEqualTo(new TlsOptions("/c/ca.crt", "/s/client/tls.crt",
                "/s/client/tls.key", "api.shop.internal", null));
        assertThat(checks.get(1).definition().grpc().usesTls()).isTrue();
        assertThat(checks.get(1).definition().grpc().tls().skipsVerify()).isTrue();
    }

    @Test
    void aCertificateCheckAndABodyFileReadTheirFiles() throws IOException {
        List<Check> checks = load("""
                  - name: cert
                    tlsCertificate:
                      host: shop.svc
                      port: 443
                      tls: {caFile: /c/ca.crt, certFile: /s/client/tls.crt, keyFile: /s/client/tls.key,
                            serverName: shop.internal}
                  - name: graphql
                    httpGet: {url: 'http://api:8080/graphql', method: POST, body: {valueFile: /s/query/query}}
                  - name: legacy
                    tlsCertificate: {host: shop.svc, port: 443, serverName: shop.internal, insecureSkipTlsVerify: true}
                """);
        TlsCertificateAction cert = checks.get(0).definition().tlsCertificate();
        assertThat(cert.tlsOrDefault()).isEqualTo(new TlsOptions("/c/ca.crt", "/s/client/tls.crt",
                "/s/client/tls.key", "shop.internal", null));
        assertThat(cert.verifiedName()).isEqualTo("shop.internal");
        assertThat(cert.verifies()).isTrue();
        assertThat(checks.get(1).definition().httpGet().body()).isEqualTo(new HttpBody(null, "/s/query/query"));
        TlsCertificateAction legacy = checks.get(2).definition().tlsCertificate();
        assertThat(legacy.tlsOrDefault()).as("the check's own serverName and insecureSkipTlsVerify fold in")
                .isEqualTo(new TlsOptions(null, null, null, "shop.internal", true));
        assertThat(legacy.verifies()).isFalse();
    }

    @Test
    void theOlderInsecureSkipTlsVerifyStillSkipsVerification() throws IOException {
        List<Check> checks = load("  - {name: a, httpGet: {url: 'https://h/', insecureSkipTlsVerify: true}}\n");
        assertThat(checks.get(0).definition().httpGet().tlsOrDefault().skipsVerify()).isTrue();
    }

    @Test
    void grpcWithoutTlsIsPlaintext() throws IOException {
        List<Check> checks = load("  - {name: a, grpc: {host: h, port: 1}}\n");
        assertThat(checks.get(0).definition().grpc().usesTls()).isFalse();
    }

    /** One row per rule: the check's YAML, and the field path plus message that must be reported. */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            httpGet: {url: 'http://h/', httpHeaders: [{name: X, value: v, valueFile: /s/x}]}   | checks[0].httpGet.httpHeaders[0].value: give either value or valueFile, not both
            httpGet: {url: 'http://h/', httpHeaders: [{name: X}]}                            | checks[0].httpGet.httpHeaders[0].value: required (or valueFile)
            httpGet: {url: 'http://h/', httpHeaders: [{name: Host, valueFile: /s/host}]}     | checks[0].httpGet.httpHeaders[0].valueFile: a Host header is given as a value
            httpGet: {url: 'http://h/', httpHeaders: [{name: X, valueFile: s/x}]}            | checks[0].httpGet.httpHeaders[0].valueFile: must be an absolute path
            httpGet: {url: 'http://h/', httpHeaders: [{name: X, valueFile: ''}]}             | checks[0].httpGet.httpHeaders[0].valueFile: must be an absolute path
            httpGet: {url: 'http://h/', httpHeaders: [{name: X, valueFile: /s/../etc/x}]}    | checks[0].httpGet.httpHeaders[0].valueFile: '/s/../etc/x' must name a file
            httpGet: {url: 'http://h/', httpHeaders: [{name: X, valueFile: /s/x/}]}          | checks[0].httpGet.httpHeaders[0].valueFile: '/s/x/' must name a file
            httpGet: {url: 'http://h/', httpHeaders: [{name: X, valueFile: "/s/\\nx"}]}      | checks[0].httpGet.httpHeaders[0].valueFile: must be an absolute path
            httpGet: {url: 'http://h/', tls: {caFile: /c/ca}}                                | checks[0].httpGet.tls: only for an https:// url or scheme HTTPS
            httpGet: {host: h, port: 80, tls: {caFile: /c/ca}}                               | checks[0].httpGet.tls: only for an https:// url or scheme HTTPS
            httpGet: {url: 'https://h/', tls: {caFile: c/ca}}                                | checks[0].httpGet.tls.caFile: must be an absolute path
            httpGet: {url: 'https://h/', tls: {certFile: /s/tls.crt}}                        | checks[0].httpGet.tls.keyFile: required with certFile
            httpGet: {url: 'https://h/', tls: {keyFile: /s/tls.key}}                         | checks[0].httpGet.tls.certFile: required with keyFile
            httpGet: {url: 'https://h/', tls: {keyFile: /s/./tls.key, certFile: /s/tls.crt}} | checks[0].httpGet.tls.keyFile: '/s/./tls.key' must name a file
            httpGet: {url: 'https://h/', tls: {caFile: /c/ca, insecureSkipTlsVerify: true}}  | checks[0].httpGet.tls.caFile: has no effect with insecureSkipTlsVerify
            httpGet: {url: 'https://h/', tls: {serverName: 'a b'}}                           | checks[0].httpGet.tls.serverName: 'a b' is not a DNS name
            httpGet: {url: 'https://h/', tls: {serverName: 'h:443'}}                         | checks[0].httpGet.tls.serverName: 'h:443' is not a DNS name
            httpGet: {url: 'https://h/', tls: {insecureSkipTlsVerify: 'yes'}}                | checks[0].httpGet.tls.insecureSkipTlsVerify:
            grpc: {host: h, port: 1, tls: {certFile: /s/tls.crt}}                            | checks[0].grpc.tls.keyFile: required with certFile
            grpc: {host: h, port: 1, tls: {caFile: ca.crt}}                                  | checks[0].grpc.tls.caFile: must be an absolute path
            grpc: {host: h, port: 1, tls: {serverName: ''}}                                  | checks[0].grpc.tls.serverName: '' is not a DNS name
            tlsCertificate: {host: h, port: 443, tls: {caFile: ca.crt}}                      | checks[0].tlsCertificate.tls.caFile: must be an absolute path
            tlsCertificate: {host: h, port: 443, tls: {certFile: /s/tls.crt}}                | checks[0].tlsCertificate.tls.keyFile: required with certFile
            tlsCertificate: {host: h, port: 443, tls: {serverName: 'a b'}}                   | checks[0].tlsCertificate.tls.serverName: 'a b' is not a DNS name
            tlsCertificate: {host: h, port: 443, serverName: a, tls: {serverName: b}}        | checks[0].tlsCertificate.tls.serverName: give serverName or tls.serverName, not both
            tlsCertificate: {host: h, port: 443, insecureSkipTlsVerify: true, tls: {caFile: /c/ca}} | checks[0].tlsCertificate.tls.caFile: has no effect with insecureSkipTlsVerify
            tlsCertificate: {host: h, port: 443, tls: {caFile: /c/ca, insecureSkipTlsVerify: true}} | checks[0].tlsCertificate.tls.caFile: has no effect with insecureSkipTlsVerify
            tlsCertificate: {host: h, port: 443, tls: [/c/ca]}                               | checks[0].tlsCertificate.tls:
            httpGet: {url: 'http://h/', method: POST, body: {value: v, valueFile: /s/b}}     | checks[0].httpGet.body.value: give either value or valueFile, not both
            httpGet: {url: 'http://h/', method: POST, body: {}}                              | checks[0].httpGet.body.value: required (or valueFile)
            httpGet: {url: 'http://h/', method: POST, body: {valueFile: s/b}}                | checks[0].httpGet.body.valueFile: must be an absolute path
            httpGet: {url: 'http://h/', method: POST, body: {valueFile: /s/../b}}            | checks[0].httpGet.body.valueFile: '/s/../b' must name a file
            httpGet: {url: 'http://h/', body: {valueFile: /s/b}}                             | checks[0].httpGet.body: only a POST sends a body
            """)
    void eachRuleNamesTheField(String check, String expected) throws IOException {
        Path file = Files.writeString(dir.resolve("checks.yaml"), "checks:\n  - {name: a, " + check + "}\n");
        assertThatThrownBy(() -> ChecksFileLoader.load(file))
                .isInstanceOf(InvalidChecksFileException.class)
                .hasMessageContaining(expected);
    }
}
