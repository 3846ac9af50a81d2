package dev.healthcheckoperator.sidecar.checks.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChecksFileLoaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void yamlFileAppliesFileDefaultsAndPerCheckOverrides() throws IOException {
        Path file = write("checks.yaml", """
                periodSeconds: 5
                timeoutSeconds: 1
                checks:
                  - name: api
                    critical: true
                    httpGet:
                      url: http://checkout.shop.svc:8080/ready
                      expectedStatuses: [200]
                      jsonBody: [{path: "$.status", equals: "UP"}]
                  - name: db
                    periodSeconds: 30
                    timeoutSeconds: 3
                    failureThreshold: 5
                    tcpSocket: {host: postgres.shop.svc, port: 5432}
                  - name: grpc
                    grpc: {host: grpc.shop.svc, port: 9090}
                """);
        List<Check> checks = ChecksFileLoader.load(file);
        assertThat(checks).extracting(Check::name).containsExactly("api", "db", "grpc");
        assertThat(checks).extracting(Check::kind).containsExactly("httpGet", "tcpSocket", "grpc");
        Check api = checks.get(0);
        assertThat(api.critical()).isTrue();
        assertThat(api.period()).isEqualTo(Duration.ofSeconds(5));
        assertThat(api.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(api.failureThreshold()).isEqualTo(ChecksFileLoader.DEFAULT_FAILURE_THRESHOLD);
        Check db = checks.get(1);
        assertThat(db.critical()).isFalse();
        assertThat(db.period()).isEqualTo(Duration.ofSeconds(30));
        assertThat(db.failureThreshold()).isEqualTo(5);
    }

    @Test
    void jsonFileIsReadAsJson() throws IOException {
        Path file = write("checks.json", """
                {"checks": [{"name": "db", "tcpSocket": {"host": "localhost", "port": 5432}}]}
                """);
        List<Check> checks = ChecksFileLoader.load(file);
        assertThat(checks).singleElement().satisfies(c -> {
            assertThat(c.period()).isEqualTo(Duration.ofSeconds(ChecksFileLoader.DEFAULT_PERIOD_SECONDS));
            assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(ChecksFileLoader.DEFAULT_TIMEOUT_SECONDS));
        });
    }

    @Test
    void emptyFileMeansNoChecks() throws IOException {
        assertThat(ChecksFileLoader.load(write("checks.yaml", "\n"))).isEmpty();
        assertThat(ChecksFileLoader.load(write("none.yaml", "checks: []\n"))).isEmpty();
    }

    @Test
    void missingFileIsRefusedWithItsPath() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ChecksFileLoader.load(missing))
                .isInstanceOf(InvalidChecksFileException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("cannot read");
    }

    @Test
    void brokenJsonNamesLineAndColumn() throws IOException {
        Path file = write("checks.json", "{\"checks\": [ {\"name\": \"a\",, } ]}");
        assertThatThrownBy(() -> ChecksFileLoader.load(file))
                .isInstanceOf(InvalidChecksFileException.class)
                .hasMessageContaining("was expecting double-quote to start field name (line 1, column");
    }

    @Test
    void brokenYamlNamesLine() throws IOException {
        Path file = write("checks.yaml", "checks:\n  - name: a\n    tcpSocket: {host: h, port: 1\n");
        assertThatThrownBy(() -> ChecksFileLoader.load(file))
                .isInstanceOf(InvalidChecksFileException.class)
                .hasMessageContaining("checks[0].tcpSocket: while parsing a flow mapping")
                .hasMessageContaining("line 3, column 16");
    }

    /** An operator newer than its sidecar may add optional fields: they are ignored, each named in a warning. */
    @Test
    void unknownFieldsAreIgnoredWithAWarningNamingEach() throws IOException {
        Path file = write("checks.yaml", """
                renderedBy: operator-0.2
                checks:
                  - name: db
                    tcpSocket: {host: localhost, port: 5432, keepAlive: {idle: 5}}
                  - name: api
                    httpGet: {url: "http://api:8080/", retries: 2}
                """);
        List<String> warnings = new ArrayList<>();
        List<Check> checks = ChecksFileLoader.load(file, warnings::add);
        assertThat(checks).extracting(Check::name).containsExactly("db", "api");
        assertThat(checks.get(0).definition().tcpSocket().port()).isEqualTo(5432);
        assertThat(warnings).containsExactlyInAnyOrder(
                "renderedBy: unknown field, ignored (known fields: checks, failureThreshold, periodSeconds, "
                        + "successThreshold, timeoutSeconds, version)",
                "checks[0].tcpSocket.keepAlive: unknown field, ignored (known fields: host, port)",
                "checks[1].httpGet.retries: unknown field, ignored (known fields: body, contentType, "
                        + "expectedStatuses, followRedirects, host, httpHeaders, insecureSkipTlsVerify, jsonBody, method, "
                        + "path, port, scheme, tls, url)");
    }

    @Test
    void aMisspelledFieldIsNamedInTheWarningBesideTheProblemItCauses() throws IOException {
        Path file = write("checks.json", """
                {"checks": [{"name": "db", "tcpSocket": {"host": "localhost", "prot": 5432}}]}
                """);
        List<String> warnings = new ArrayList<>();
        assertThatThrownBy(() -> ChecksFileLoader.load(file, warnings::add))
                .isInstanceOf(InvalidChecksFileException.class)
                .hasMessageContaining("checks[0].tcpSocket.port: required");
        assertThat(warnings).containsExactly(
                "checks[0].tcpSocket.prot: unknown field, ignored (known fields: host, port)");
    }

    @Test
    void versionOneOrNoneIsRead() throws IOException {
        String checks = "checks: [{name: db, tcpSocket: {host: h, port: 1}}]\n";
        assertThat(ChecksFileLoader.load(write("v1.yaml", "version: 1\n" + checks))).hasSize(1);
        assertThat(ChecksFileLoader.load(write("none.yaml", checks))).hasSize(1);
    }

    @Test
    void aNewerVersionIsRefusedNamingTheField() throws IOException {
        Path file = write("checks.yaml", "version: 3\nchecks: [{name: db, tcpSocket: {host: h, port: 1}, "
                + "newThing: {}}]\n");
        assertThatThrownBy(() -> ChecksFileLoader.load(file, warning -> { }))
                .isInstanceOfSatisfying(InvalidChecksFileException.class, e -> assertThat(e.problems())
                        .containsExactly("version: 3 is newer than this sidecar reads (up to 2); run a sidecar image "
                                + "at least as new as the operator that wrote it"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            version: 0          | version: must be 1 or more, got 0
            version: '1'        | version:
            version: 1.5        | version:
            """)
    void badVersionsAreRefused(String line, String expected) throws IOException {
        Path file = write("checks.yaml", line + "\nchecks: []\n");
        assertThatThrownBy(() -> ChecksFileLoader.load(file))
                .isInstanceOf(InvalidChecksFileException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void headerValueWithAControlCharacterIsRefusedNamingTheField() throws IOException {
        Path file = write("checks.json", """
                {"checks": [
                  {"name": "db", "tcpSocket": {"host": "h", "port": 1}},
                  {"name": "api", "httpGet": {"url": "http://api:8080/",
                    "httpHeaders": [{"name": "X-Probe", "value": "a\\u0001b"}]}}]}
                """);
        assertThatThrownBy(() -> ChecksFileLoader.load(file))
                .isInstanceOfSatisfying(InvalidChecksFileException.class, e -> assertThat(e.problems())
                        .containsExactly("checks[1].httpGet.httpHeaders[0].value: control character U+0001 at "
                                + "position 1; a header value holds only visible ASCII characters, spaces and tabs"));
    }

    @Test
    void followRedirectsIsReadAndDefaultsToTrue() throws IOException {
        Path file = write("checks.yaml", """
                checks:
                  - {name: a, httpGet: {url: "http://a/", followRedirects: false}}
                  - {name: b, httpGet: {url: "http://b/"}}
                """);
        List<Check> checks = ChecksFileLoader.load(file);
        assertThat(checks.get(0).definition().httpGet().followsRedirects()).isFalse();
        assertThat(checks.get(1).definition().httpGet().followsRedirects()).isTrue();
    }

    @Test
    void wrongTypeIsNamed() throws IOException {
        Path file = write("checks.yaml", """
                checks:
                  - name: db
                    tcpSocket: {host: localhost, port: "5432"}
                """);
        assertThatThrownBy(() -> ChecksFileLoader.load(file))
                .isInstanceOf(InvalidChecksFileException.class)
                .hasMessageContaining("checks[0].tcpSocket.port:");
    }

    @Test
    void allProblemsAreReportedAtOnce() throws IOException {
        Path file = write("checks.yaml", """
                checks:
                  - name: Bad_Name
                    tcpSocket: {host: localhost, port: 0}
                  - name: x
                """);
        assertThatThrownBy(() -> ChecksFileLoader.load(file))
                .isInstanceOfSatisfying(InvalidChecksFileException.class, e -> assertThat(e.problems()).hasSize(3))
                .hasMessageContaining("checks[0].name: 'Bad_Name' must be a DNS label")
                .hasMessageContaining("checks[0].tcpSocket.port: must be between 1 and 65535, got 0")
                .hasMessageContaining("checks[1]: exactly one of httpGet, tcpSocket, grpc, dns, tlsCertificate is required, got 0");
    }

    /** One row per rule: the check's YAML, and the field path plus message that must be reported. */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            name: a, tcpSocket: {host: h, port: 1}, grpc: {host: h, port: 1}            | checks[0]: exactly one of httpGet, tcpSocket, grpc, dns, tlsCertificate is required, got 2
            tcpSocket: {host: h, port: 1}                                               | checks[0].name: required
            name: '-a', tcpSocket: {host: h, port: 1}                                   | checks[0].name: '-a' must be a DNS label
            name: a, periodSeconds: 0, timeoutSeconds: 0, tcpSocket: {host: h, port: 1} | checks[0].periodSeconds: must be between 1 and 3600, got 0
            name: a, periodSeconds: 5, timeoutSeconds: 5, tcpSocket: {host: h, port: 1} | checks[0].timeoutSeconds: must be less than periodSeconds (5 >= 5)
            name: a, failureThreshold: 0, tcpSocket: {host: h, port: 1}                 | checks[0].failureThreshold: must be between 1 and 100, got 0
            name: a, successThreshold: 101, tcpSocket: {host: h, port: 1}               | checks[0].successThreshold: must be between 1 and 100, got 101
            name: a, tcpSocket: {port: 1}                                               | checks[0].tcpSocket.host: required
            name: a, tcpSocket: {host: 'a b', port: 1}                                  | checks[0].tcpSocket.host: 'a b' is not a host name or IP address
            name: a, tcpSocket: {host: h}                                               | checks[0].tcpSocket.port: required
            name: a, grpc: {host: h, port: 70000}                                       | checks[0].grpc.port: must be between 1 and 65535, got 70000
            name: a, httpGet: {url: 'ftp://h/x'}                                        | checks[0].httpGet.url: 'ftp://h/x' must start with http:// or https://
            name: a, httpGet: {url: 'http://'}                                          | checks[0].httpGet.url: not a valid URL
            name: a, httpGet: {url: 'http://h/', port: 80}                              | checks[0].httpGet.url: give either url, or host/port/path/scheme, not both
            name: a, httpGet: {host: h, port: 80, path: ready}                          | checks[0].httpGet.path: 'ready' must start with '/'
            name: a, httpGet: {host: h, port: 80, scheme: FTP}                          | checks[0].httpGet.scheme: 'FTP' must be HTTP or HTTPS
            name: a, httpGet: {host: h, port: 80, expectedStatuses: [200, 99]}          | checks[0].httpGet.expectedStatuses[1]: must be an HTTP status from 100 to 599, got 99
            name: a, httpGet: {host: h, port: 80, httpHeaders: [{name: 'a b', value: v}]} | checks[0].httpGet.httpHeaders[0].name: required
            name: a, httpGet: {host: h, port: 80, httpHeaders: [{name: X}]}            | checks[0].httpGet.httpHeaders[0].value: required
            name: a, httpGet: {host: h, port: 80, httpHeaders: [{name: X, value: "a\\nb"}]} | checks[0].httpGet.httpHeaders[0].value: control character U+000A at position 1
            name: a, httpGet: {host: h, port: 80, httpHeaders: [{name: X, value: "a\\x7Fb"}]} | checks[0].httpGet.httpHeaders[0].value: control character U+007F at position 1
            name: a, httpGet: {host: h, port: 80, httpHeaders: [{name: X, value: "é"}]}    | checks[0].httpGet.httpHeaders[0].value: non-ASCII character U+00E9 at position 0
            name: a, httpGet: {host: h, port: 80, httpHeaders: [{name: Host, value: "a b"}]} | checks[0].httpGet.httpHeaders[0].value: 'a b' is not host[:port]
            name: a, httpGet: {host: h, port: 80, followRedirects: "yes"}               | checks[0].httpGet.followRedirects:
            name: a, httpGet: {host: h, port: 80, jsonBody: [{path: status, equals: UP}]} | checks[0].httpGet.jsonBody[0].path: 'status' must start with '$'
            name: a, httpGet: {host: h, port: 80, jsonBody: [{path: $.status}]}        | checks[0].httpGet.jsonBody[0].equals: required
            name: a, httpGet: {host: h, port: 80, method: PUT}                          | checks[0].httpGet.method: 'PUT' must be GET, HEAD or POST
            name: a, httpGet: {host: h, port: 80, method: HEAD, jsonBody: [{path: $.a, equals: b}]} | checks[0].httpGet.jsonBody: a HEAD response has no body to assert on
            name: a, httpGet: {host: h, port: 80, body: {value: x}}                     | checks[0].httpGet.body: only a POST sends a body, the method is GET
            name: a, httpGet: {host: h, port: 80, method: POST, body: {}}               | checks[0].httpGet.body.value: required
            name: a, httpGet: {host: h, port: 80, method: POST, contentType: text/plain} | checks[0].httpGet.contentType: goes with body
            name: a, httpGet: {host: h, port: 80, method: POST, body: {value: x}, contentType: json} | checks[0].httpGet.contentType: 'json' is not a media type
            name: a, httpGet: {host: h, port: 80, method: POST, body: {value: x}, contentType: "a/b\\nc: d"} | checks[0].httpGet.contentType:
            name: a, dns: {recordType: A}                                               | checks[0].dns.name: required
            name: a, dns: {name: 'a..b', recordType: A}                                 | checks[0].dns.name: 'a..b' is not a DNS name
            name: a, dns: {name: shop.test}                                             | checks[0].dns.recordType: required
            name: a, dns: {name: shop.test, recordType: PTR}                            | checks[0].dns.recordType: 'PTR' must be one of A, AAAA, CNAME, SRV, TXT, MX
            name: a, dns: {name: shop.test, recordType: A, expectedValues: [1.2.3.4], match: most} | checks[0].dns.match: 'most' must be all or any
            name: a, dns: {name: shop.test, recordType: A, match: any}                  | checks[0].dns.match: goes with expectedValues
            name: a, dns: {name: shop.test, recordType: A, expectedValues: [1.2.3.4, 300.1.1.1]} | checks[0].dns.expectedValues[1]: '300.1.1.1' is not an IPv4 address
            name: a, dns: {name: shop.test, recordType: AAAA, expectedValues: [1.2.3.4]} | checks[0].dns.expectedValues[0]: '1.2.3.4' is not an IPv6 address
            name: a, dns: {name: shop.test, recordType: MX, expectedValues: [mail.test]} | checks[0].dns.expectedValues[0]: 'mail.test' is not 'preference exchange'
            name: a, dns: {name: shop.test, recordType: SRV, expectedValues: ['0 5 70000 sip.test']} | checks[0].dns.expectedValues[0]: '0 5 70000 sip.test' is not 'priority weight port target'
            name: a, dns: {name: shop.test, recordType: TXT, expectedValues: ['']}      | checks[0].dns.expectedValues[0]: must not be empty
            name: a, dns: {name: shop.test, recordType: A, server: 'a b:53'}            | checks[0].dns.server: 'a b:53' must be host or host:port
            name: a, dns: {name: shop.test, recordType: A, server: '10.0.0.10:0'}       | checks[0].dns.server: must be between 1 and 65535, got 0
            name: a, tlsCertificate: {port: 443}                                        | checks[0].tlsCertificate.host: required
            name: a, tlsCertificate: {host: h}                                          | checks[0].tlsCertificate.port: required
            name: a, tlsCertificate: {host: h, port: 443, serverName: 'a b'}            | checks[0].tlsCertificate.serverName: 'a b' is not a DNS name
            name: a, tlsCertificate: {host: h, port: 443, expiresWithinDays: 366}       | checks[0].tlsCertificate.expiresWithinDays: must be between 0 and 365, got 366
            name: a, tlsCertificate: {host: h, port: 443, insecureSkipTlsVerify: maybe} | checks[0].tlsCertificate.insecureSkipTlsVerify:
            name: a, dns: {name: shop.test, recordType: A}, tlsCertificate: {host: h, port: 1} | checks[0]: exactly one of httpGet, tcpSocket, grpc, dns, tlsCertificate is required, got 2
            """)
    void eachRuleNamesTheField(String check, String expected) throws IOException {
        Path file = write("checks.yaml", "checks:\n  - {" + check + "}\n");
        assertThatThrownBy(() -> ChecksFileLoader.load(file))
                .isInstanceOf(InvalidChecksFileException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void dnsAndTlsCertificateChecksAreReadWithTheirDefaults() throws IOException {
        Path file = write("checks.yaml", """
                checks:
                  - name: resolver
                    dns: {name: shop.example., recordType: aaaa, expectedValues: ["fd00::1"], match: any,
                          server: "[fd00::53]:5353"}
                  - name: cert
                    tlsCertificate: {host: shop.example, port: 443}
                  - name: graphql
                    httpGet: {url: "http://api:8080/graphql", method: POST, body: {value: "{}"},
                              contentType: application/json}
                """);
        List<Check> checks = ChecksFileLoader.load(file);
        assertThat(checks).extracting(Check::kind).containsExactly("dns", "tlsCertificate", "httpGet");
        DnsAction dns = checks.get(0).definition().dns();
        assertThat(dns.type()).isEqualTo(DnsAction.RecordType.AAAA);
        assertThat(dns.matchesAny()).isTrue();
        assertThat(DnsActionRules.server(dns.server()).host()).isEqualTo("fd00::53");
        assertThat(DnsActionRules.server(dns.server()).port()).isEqualTo(5353);
        assertThat(new DnsAction("a", "A", List.of("1.2.3.4"), null, null).matchesAny()).as("all by default").isFalse();
        TlsCertificateAction tls = checks.get(1).definition().tlsCertificate();
        assertThat(tls.expiresWithinDaysOrDefault()).isEqualTo(14);
        assertThat(tls.verifiedName()).isEqualTo("shop.example");
        assertThat(tls.verifies()).isTrue();
        HttpGetAction post = checks.get(2).definition().httpGet();
        assertThat(post.methodOrGet()).isEqualTo("POST");
        assertThat(post.body().value()).isEqualTo("{}");
    }

    @Test
    void aRequestBodyIsBounded() throws IOException {
        Path file = write("checks.yaml", "checks:\n  - {name: a, httpGet: {url: 'http://h/', method: POST, body: {value: '"
                + "x".repeat(ChecksFileLoader.MAX_REQUEST_BODY_LENGTH + 1) + "'}}}\n");
        assertThatThrownBy(() -> ChecksFileLoader.load(file))
                .hasMessageContaining("checks[0].httpGet.body.value: at most 8192 characters, got 8193");
    }

    @Test
    void duplicateNamesAreRefused() throws IOException {
        Path file = write("checks.yaml", """
                checks:
                  - {name: a, tcpSocket: {host: h, port: 1}}
                  - {name: a, tcpSocket: {host: h, port: 2}}
                """);
        assertThatThrownBy(() -> ChecksFileLoader.load(file))
                .hasMessageContaining("checks[1].name: 'a' is used by an earlier check");
    }

    @Test
    void moreThan64ChecksAreRefused() throws IOException {
        StringBuilder yaml = new StringBuilder("checks:\n");
        for (int i = 0; i <= ChecksFileLoader.MAX_CHECKS; i++) {
            yaml.append("  - {name: c").append(i).append(", tcpSocket: {host: h, port: 1}}\n");
        }
        Path file = write("checks.yaml", yaml.toString());
        assertThatThrownBy(() -> ChecksFileLoader.load(file)).hasMessageContaining("checks: at most 64 checks, got 65");
    }

    @Test
    void fileWideTimeoutMustBeBelowPeriod() throws IOException {
        Path file = write("checks.yaml", "periodSeconds: 2\ntimeoutSeconds: 3\nchecks: []\n");
        assertThatThrownBy(() -> ChecksFileLoader.load(file))
                .hasMessageContaining("timeoutSeconds: must be less than periodSeconds (3 >= 2)");
    }
}
