package dev.healthcheckoperator.clustertests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped dashboards and alert rules against a real Prometheus (Debian's {@code prometheus}, on loopback) that
 * scrapes the packaged operator and a packaged sidecar whose checks are {@code api} (critical, passing),
 * {@code cache} (failing) and {@code shop-cert} (a tlsCertificate check of a TLS server this test runs on loopback,
 * with a certificate keytool made, trusted through a CA bundle file): every dashboard panel's PromQL, with the template variables filled in, returns data; the
 * rules file loads and evaluates without errors; and {@code promtool check metrics} accepts both apps' metrics.
 * <p>
 * The operator is started again for this class with the direct poll mode pointed at {@code 127.0.0.1:{port}}, the
 * HealthCheck's port being the sidecar process's, and put back as the cluster started it afterwards.
 */
@ClusterTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusIT {

    static final String HEALTH_CHECK = "shop";
    /** The scrape interval here; Grafana's $__rate_interval is at least four of them. */
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
    static final String RATE_INTERVAL = "15s";
    static final Duration DATA_TIMEOUT = Duration.ofMinutes(3);
    static final Pattern ALERT_LINE = Pattern.compile("(?m)^\\s+- alert: (\\w+)$");

    /**
     * Panels whose query cannot return data in this test, by dashboard file and panel title, each with the reason.
     * Every other panel must.
     */
    static final Map<String, String> PANELS_WITHOUT_DATA_HERE = Map.of(
            "healthcheck-fleet.json/Sidecar restarts (15m)",
            "kube_pod_container_status_restarts_total comes from kube-state-metrics, which this test does not run");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private LocalCluster cluster;
    private Path directory;
    private Process sidecar;
    private Process prometheus;
    private SSLServerSocket tlsServer;
    private int sidecarPort;
    private int prometheusPort;
    private String namespace;
    /** Child processes outlive a JVM that is killed: a run cut short stops them too. */
    private final Thread processesStopper = new Thread(() -> {
        stop(prometheus);
        stop(sidecar);
    }, "prometheus-it-stopper");

    @BeforeAll
    void startSidecarOperatorAndPrometheus(LocalCluster cluster) throws IOException {
        this.cluster = cluster;
        directory = Files.createDirectories(cluster.runDirectory().resolve("prometheus-it"));
        namespace = cluster.createNamespace("metrics");
        sidecarPort = OperatorProcess.freeLoopbackPort();
        int closedPort = OperatorProcess.freeLoopbackPort();
        Runtime.getRuntime().addShutdownHook(processesStopper);
        Path caBundle = startTlsServer();
        sidecar = startSidecar(closedPort, caBundle);
        cluster.restartOperator(Map.of("HEALTHCHECK_POLL_DIRECT_URL_TEMPLATE", "http://127.0.0.1:{port}/health"));
        cluster.kubectl().apply(HealthChecks.manifest(namespace, HEALTH_CHECK, """
                  port: %d
                  checks:
                    - name: api
                      critical: true
                      tcpSocket:
                        host: 127.0.0.1
                        port: %d
                    - name: cache
                      tcpSocket:
                        host: 127.0.0.1
                        port: %d
                """.formatted(sidecarPort, sidecarPort, closedPort)));
        prometheus = startPrometheus();
    }

    @AfterAll
    void stopEverything() throws IOException {
        stop(prometheus);
        stop(sidecar);
        if (tlsServer != null) {
            tlsServer.close();
        }
        Runtime.getRuntime().removeShutdownHook(processesStopper);
        if (cluster != null) {
            cluster.kubectl().ok("delete", "namespace", namespace, "--wait=false");
            cluster.restartOperator(Map.of());
        }
    }

    @Test
    void everyDashboardPanelReturnsData() throws IOException {
        Map<String, String> queries = dashboardQueries();
        assertThat(queries).as("panel queries of the dashboards").isNotEmpty();
        assertThat(PANELS_WITHOUT_DATA_HERE.keySet()).as("panels excused from returning data")
                .allSatisfy(panel -> assertThat(queries).containsKey(panel));

        await("every panel's query returns data").atMost(DATA_TIMEOUT).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    Map<String, String> empty = new TreeMap<>();
                    queries.forEach((panel, query) -> {
                        if (!PANELS_WITHOUT_DATA_HERE.containsKey(panel) && resultCount(query) == 0) {
                            empty.put(panel, query);
                        }
                    });
                    assertThat(empty).as("panels whose query returns nothing").isEmpty();
                });
    }

    /** The certificate the test's TLS server presents is valid for 30 days: the panel shows about that many. */
    @Test
    void theCertificatePanelShowsTheDaysLeftOfTheServedCertificate() throws IOException {
        String query = dashboardQueries().get("healthcheck-detail.json/Certificate days left");
        assertThat(query).as("the detail dashboard's certificate panel").isNotNull();
        await("days left of shop-cert").atMost(DATA_TIMEOUT).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    JsonNode result = api("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8))
                            .path("data").path("result");
                    assertThat(result.size()).as("series of %s: %s", query, result).isEqualTo(1);
                    assertThat(result.get(0).path("metric").path("check").asText()).isEqualTo("shop-cert");
                    assertThat(result.get(0).path("value").get(1).asDouble()).isBetween(29.0, 30.01);
                });
    }

    @Test
    void theAlertRulesLoadAndEvaluateWithoutErrors() throws IOException {
        List<String> alerts = ALERT_LINE.matcher(Files.readString(rulesFile())).results()
                .map(match -> match.group(1)).toList();
        assertThat(alerts).as("alerts in %s", rulesFile()).isNotEmpty();
        await("every rule evaluated").atMost(DATA_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    JsonNode groups = api("/api/v1/rules").path("data").path("groups");
                    List<JsonNode> rules = new ArrayList<>();
                    groups.forEach(group -> group.path("rules").forEach(rules::add));
                    assertThat(rules).extracting(rule -> rule.path("name").asText()).as("rules Prometheus loaded")
                            .containsExactlyInAnyOrderElementsOf(alerts);
                    assertThat(rules).allSatisfy(rule -> assertThat(rule.path("health").asText())
                            .as("health of %s (%s)", rule.path("name").asText(), rule.path("lastError").asText())
                            .isEqualTo("ok"));
                });
    }

    @Test
    void promtoolAcceptsTheMetricsOfTheOperatorAndTheSidecar() {
        await("the sidecar's checks have run").atMost(DATA_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                .until(() -> textMetrics(sidecarPort, "/metrics").contains("sidecar_check_up{"));
        for (String metrics : List.of(textMetrics(cluster.operator().httpPort(), "/q/metrics"),
                textMetrics(sidecarPort, "/metrics"))) {
            Command.Result lint = Command.run(directory, Map.of(), Duration.ofMinutes(1), metrics,
                    List.of("promtool", "check", "metrics"));
            assertThat(lint.exitCode()).as(lint.describe()).isZero();
            assertThat(lint.stdout() + lint.stderr()).as("promtool's findings").isBlank();
        }
    }

    /**
     * Every panel's queries (nested rows included) by "file/title", with the dashboard's variables filled in as
     * Grafana does on opening it: each variable's label_values query in order, its first value selected.
     */
    private Map<String, String> dashboardQueries() throws IOException {
        Map<String, String> queries = new LinkedHashMap<>();
        Path dashboards = cluster.repoRoot().resolve("charts/healthcheck-operator/files/dashboards");
        try (Stream<Path> files = Files.list(dashboards)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode dashboard = json.readTree(file.toFile());
                Map<String, String> variables = resolveVariables(file.getFileName().toString(), dashboard);
                collectPanelQueries(file.getFileName().toString(), dashboard.path("panels"), variables, queries);
            }
        }
        return queries;
    }

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*(\\w+)\\)");

    private Map<String, String> resolveVariables(String dashboard, JsonNode model) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("__rate_interval", RATE_INTERVAL);
        values.put("__interval", RATE_INTERVAL);
        for (JsonNode variable : model.path("templating").path("list")) {
            if (!"query".equals(variable.path("type").asText())) {
                continue;
            }
            String name = variable.path("name").asText();
            JsonNode query = variable.path("query");
            String text = query.isObject() ? query.path("query").asText() : query.asText();
            Matcher matcher = LABEL_VALUES.matcher(text);
            assertThat(matcher.matches()).as("%s: variable %s is label_values(selector, label): %s", dashboard, name,
                    text).isTrue();
            String label = matcher.group(2);
            String selector = substitute(matcher.group(1), values);
            String value = await(dashboard + ": a value for $" + name).atMost(DATA_TIMEOUT)
                    .pollInterval(Duration.ofSeconds(1)).until(() -> firstLabelValue(selector, label), v -> v != null);
            values.put(name, value);
        }
        return values;
    }

    private String firstLabelValue(String selector, String label) {
        JsonNode result = api("/api/v1/query?query=" + URLEncoder.encode("count by (" + label + ") (" + selector + ")",
                StandardCharsets.UTF_8)).path("data").path("result");
        List<String> values = new ArrayList<>();
        result.forEach(series -> values.add(series.path("metric").path(label).asText()));
        return values.stream().filter(v -> !v.isEmpty()).sorted().findFirst().orElse(null);
    }

    private void collectPanelQueries(String dashboard, JsonNode panels, Map<String, String> variables,
            Map<String, String> queries) {
        for (JsonNode panel : panels) {
            collectPanelQueries(dashboard, panel.path("panels"), variables, queries);
            int index = 0;
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText("");
                if (!expr.isBlank()) {
                    String key = dashboard + "/" + panel.path("title").asText() + (index++ == 0 ? "" : " #" + index);
                    queries.put(key, substitute(expr, variables));
                }
            }
        }
    }

    /** $name and ${name}, longest names first so $namespace is not read as $name + "space". */
    private static String substitute(String expr, Map<String, String> variables) {
        String result = expr;
        List<String> names = variables.keySet().stream().sorted((a, b) -> b.length() - a.length()).toList();
        for (String name : names) {
            result = result.replace("${" + name + "}", variables.get(name)).replace("$" + name, variables.get(name));
        }
        return result;
    }

    private int resultCount(String query) {
        JsonNode answer = api("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        assertThat(answer.path("status").asText()).as("Prometheus on %s: %s", query, answer).isEqualTo("success");
        return answer.path("data").path("result").size();
    }

    private JsonNode api(String pathAndQuery) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + prometheusPort + pathAndQuery)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The text format 0.0.4, negotiated as Prometheus does (without an Accept header Quarkus answers OpenMetrics). */
    private String textMetrics(int port, String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                    .header("Accept", "text/plain;version=0.0.4;q=0.5,*/*;q=0.1").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET %s on %d", path, port).isEqualTo(200);
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A TLS server on 127.0.0.1 with a self-signed certificate for localhost (valid 30 days, so no certificate alert
     * fires) that completes each handshake and then waits for the client to close; returns the certificate's PEM
     * file, the CA bundle the sidecar trusts it through.
     */
    private Path startTlsServer() throws IOException {
        Path store = directory.resolve("tls-server.p12");
        Path certificate = directory.resolve("tls-server-ca.crt");
        Files.deleteIfExists(store);
        Path keytool = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
        char[] password = "prometheus-it".toCharArray();
        for (List<String> command : List.of(
                List.of(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname",
                        "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "30",
                        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(password)),
                List.of(keytool.toString(), "-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(),
                        "-storepass", new String(password), "-file", certificate.toString()))) {
            Command.Result made = Command.run(directory, Map.of(), Duration.ofMinutes(1), "", command);
            assertThat(made.exitCode()).as(made.describe()).isZero();
        }
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(store)) {
                keys.load(in, password);
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            tlsServer = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 16,
                    InetAddress.getLoopbackAddress());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot start the TLS server: " + e.getMessage(), e);
        }
        Thread acceptor = new Thread(() -> {
            while (!tlsServer.isClosed()) {
                try {
                    Socket client = tlsServer.accept();
                    Thread handshake = new Thread(() -> {
                        try (client) {
                            client.setSoTimeout(30_000);
                            ((SSLSocket) client).startHandshake();
                            client.getInputStream().read(); // until the probe closes
                        } catch (IOException ignored) {
                            // the probe closed, or gave up at its deadline
                        }
                    }, "prometheus-it-tls-handshake");
                    handshake.setDaemon(true);
                    handshake.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "prometheus-it-tls-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return certificate;
    }

    private Process startSidecar(int closedPort, Path caBundle) throws IOException {
        Path checks = directory.resolve("checks.yaml");
        Files.writeString(checks, """
                periodSeconds: 2
                timeoutSeconds: 1
                failureThreshold: 1
                checks:
                  - name: api
                    critical: true
                    tcpSocket: {host: 127.0.0.1, port: %d}
                  - name: cache
                    tcpSocket: {host: 127.0.0.1, port: %d}
                  - name: shop-cert
                    periodSeconds: 5
                    timeoutSeconds: 4
                    tlsCertificate:
                      host: 127.0.0.1
                      port: %d
                      tls: {caFile: %s, serverName: localhost}
                """.formatted(sidecarPort, closedPort, tlsServer.getLocalPort(), caBundle));
        Path sidecarDirectory = cluster.repoRoot().resolve("sidecar");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "@" + sidecarDirectory.resolve("jvm.options"), "-jar",
                sidecarDirectory.resolve("target/quarkus-app/quarkus-run.jar").toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("sidecar.log").toFile());
        builder.environment().put("SIDECAR_PORT", Integer.toString(sidecarPort));
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        builder.environment().put("SIDECAR_CONFIG_FILE", checks.toString());
        Process process = builder.start();
        awaitReady(process, "the sidecar", sidecarPort, "/health/ready", directory.resolve("sidecar.log"));
        return process;
    }

    private Path rulesFile() {
        return cluster.repoRoot().resolve("charts/healthcheck-operator/files/prometheus-rules.yaml");
    }

    private Process startPrometheus() throws IOException {
        prometheusPort = OperatorProcess.freeLoopbackPort();
        Path rules = rulesFile();
        Path config = directory.resolve("prometheus.yml");
        // The labels the chart's PodMonitor and the README's kubernetes_sd config give sidecar series.
        Files.writeString(config, """
                global:
                  scrape_interval: %1$ds
                  evaluation_interval: %1$ds
                rule_files:
                  - %2$s
                scrape_configs:
                  - job_name: healthcheck-operator
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ['127.0.0.1:%3$d']
                        labels: {namespace: healthcheck-operator, pod: healthcheck-operator-0}
                  - job_name: healthcheck-sidecars
                    static_configs:
                      - targets: ['127.0.0.1:%4$d']
                        labels: {namespace: %5$s, healthcheck: %6$s, pod: %6$s-healthcheck-0}
                """.formatted(SCRAPE_INTERVAL.toSeconds(), rules, cluster.operator().httpPort(), sidecarPort,
                namespace, HEALTH_CHECK));
        ProcessBuilder builder = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(directory.resolve("prometheus.log").toFile());
        Process process = builder.start();
        awaitReady(process, "Prometheus", prometheusPort, "/-/ready", directory.resolve("prometheus.log"));
        return process;
    }

    /** Until GET path answers 200; fails at once, with the log, if the process exits. */
    private void awaitReady(Process process, String what, int port, String path, Path log) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).build();
        await(what + " ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited with " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            try {
                return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
