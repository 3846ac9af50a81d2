package dev.healthcheckoperator.sidecar.checks.probes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.HttpBody;
import dev.healthcheckoperator.sidecar.checks.spec.HttpGetAction;
import dev.healthcheckoperator.sidecar.checks.spec.HttpHeader;
import dev.healthcheckoperator.sidecar.checks.spec.JsonBodyAssertion;
import dev.healthcheckoperator.sidecar.checks.spec.ChecksFileLoader;
import dev.healthcheckoperator.sidecar.testsupport.MountedSecretDir;
import dev.healthcheckoperator.sidecar.testsupport.Probing;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * httpGet with method HEAD and POST against a local endpoint that checks what it was sent; a POST body from a
 * mounted Secret key, rotated the way the kubelet does it.
 */
class HttpMethodTest {

    private static final long TIMEOUT_MS = 10_000;
    private static final String QUERY = "{\"query\":\"{ health }\"}";
    private static Vertx vertx;
    private static HttpServer server;
    private static int port;
    /** What each request arrived as: method, content type, body; one entry per request. */
    private static final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            received.add(request.method() + " " + request.getHeader("Content-Type") + " " + body);
            switch (request.path()) {
                case "/graphql" -> {
                    boolean wanted = request.method() == HttpMethod.POST && body.toString().equals(QUERY)
                            && "application/json".equals(request.getHeader("Content-Type"));
                    request.response().setStatusCode(wanted ? 200 : 400)
                            .putHeader("Content-Type", "application/json").end("{\"data\":{\"health\":\"UP\"}}");
                }
                case "/moved" -> request.response().setStatusCode(307)
                        .putHeader("Location", "http://localhost:" + port + "/graphql").end();
                case "/here" -> request.response().setStatusCode(307).putHeader("Location", "/graphql").end();
                default -> request.response().putHeader("Content-Length", "100000").end(
                        request.method() == HttpMethod.HEAD ? "" : "x".repeat(100_000));
            }
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @TempDir
    Path mounts;

    @BeforeEach
    void forget() {
        received.clear();
    }

    private static HttpGetAction action(String path, String method, String body, String contentType,
            List<JsonBodyAssertion> json, List<HttpHeader> headers) {
        return new HttpGetAction(null, "127.0.0.1", port, path, null, headers, null, json, null, null, method,
                body == null ? null : new HttpBody(body), contentType);
    }

    private static ProbeOutcome probe(HttpGetAction action) throws Exception {
        HttpGetProbe probe = new HttpGetProbe(vertx, action, new ObjectMapper(), 64 * 1024);
        try {
            return Probing.once(vertx, probe, TIMEOUT_MS);
        } finally {
            probe.close();
        }
    }

    @Test
    void aPostSendsItsBodyWithItsContentType() throws Exception {
        ProbeOutcome outcome = probe(action("/graphql", "POST", QUERY, "application/json",
                List.of(new JsonBodyAssertion("$.data.health", "UP")), null));
        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        assertThat(received).containsExactly("POST application/json " + QUERY);
    }

    @Test
    void withoutContentTypeTheBodyGoesAsPlainText() throws Exception {
        ProbeOutcome outcome = probe(action("/graphql", "POST", QUERY, null, null, null));
        assertThat(outcome.reason()).as("the endpoint wants JSON").isEqualTo(FailureReason.UnexpectedStatus);
        assertThat(received).containsExactly("POST text/plain; charset=utf-8 " + QUERY);
    }

    @Test
    void aContentTypeHeaderOfTheUserReplacesContentType() throws Exception {
        probe(action("/graphql", "POST", QUERY, "text/plain", null,
                List.of(new HttpHeader("Content-Type", "application/json"))));
        assertThat(received).containsExactly("POST application/json " + QUERY);
    }

    @Test
    void aPostFollowsARedirectOnItsOriginWithItsBodyButNotToAnother() throws Exception {
        assertThat(probe(action("/here", "POST", QUERY, "application/json", null, null)).success()).isTrue();
        assertThat(received).containsExactly("POST application/json " + QUERY, "POST application/json " + QUERY);
        received.clear();

        ProbeOutcome elsewhere = probe(action("/moved", "POST", QUERY, "application/json", null, null));
        assertThat(elsewhere.reason()).isEqualTo(FailureReason.BadRedirect);
        assertThat(elsewhere.message()).contains("the request body is sent only to the check's own origin");
        assertThat(received).as("the other origin got nothing").hasSize(1);
    }

    @Test
    void aBodyFromAMountedSecretIsReadForEachProbeSoARotationIsSentNext() throws Exception {
        MountedSecretDir secret = new MountedSecretDir(Files.createDirectory(mounts.resolve("query")),
                Map.of("query", QUERY));
        HttpGetAction action = new HttpGetAction(null, "127.0.0.1", port, "/graphql", null, null, null,
                List.of(new JsonBodyAssertion("$.data.health", "UP")), null, null, "POST",
                new HttpBody(null, secret.file("query").toString()), "application/json");
        HttpGetProbe probe = new HttpGetProbe(vertx, action, new ObjectMapper(), 64 * 1024);
        try {
            ProbeOutcome first = Probing.once(vertx, probe, TIMEOUT_MS);
            assertThat(first.success()).as(first.toString()).isTrue();
            assertThat(received).containsExactly("POST application/json " + QUERY);

            String rotated = "{\"query\":\"{ rotated }\"}";
            secret.update(Map.of("query", rotated));
            ProbeOutcome second = Probing.once(vertx, probe, TIMEOUT_MS);
            assertThat(second.reason()).as("the endpoint wants the first query").isEqualTo(FailureReason.UnexpectedStatus);
            assertThat(received).containsExactly("POST application/json " + QUERY, "POST application/json " + rotated);
            assertThat(second.message()).doesNotContain("rotated");
        } finally {
            probe.close();
        }
    }

    @Test
    void aBodyFileTooLargeOrMissingFailsTheProbeNamingTheFileNotItsContent() throws Exception {
        Path large = Files.writeString(mounts.resolve("large"), "s3cr3t".repeat(2000));
        ProbeOutcome tooLarge = probe(new HttpGetAction(null, "127.0.0.1", port, "/graphql", null, null, null, null,
                null, null, "POST", new HttpBody(null, large.toString()), null));
        assertThat(tooLarge.reason()).isEqualTo(FailureReason.SecretUnreadable);
        assertThat(tooLarge.message()).isEqualTo("request body file " + large + " is larger than "
                + ChecksFileLoader.MAX_REQUEST_BODY_LENGTH + " bytes");
        ProbeOutcome missing = probe(new HttpGetAction(null, "127.0.0.1", port, "/graphql", null, null, null, null,
                null, null, "POST", new HttpBody(null, mounts.resolve("absent").toString()), null));
        assertThat(missing.reason()).isEqualTo(FailureReason.SecretUnreadable);
        assertThat(missing.message()).contains("does not exist");
        assertThat(received).as("nothing was sent without its body").isEmpty();
    }

    @Test
    void aHeadDecidesOnTheStatusAndReadsNoBody() throws Exception {
        ProbeOutcome outcome = probe(action("/big", "HEAD", null, null, null, null));
        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        assertThat(outcome.message()).isEqualTo("HTTP 200");
        assertThat(received).containsExactly("HEAD null ");
    }

    @Test
    void aGetIsStillTheDefault() throws Exception {
        assertThat(probe(action("/graphql", null, null, null, null, null)).reason())
                .isEqualTo(FailureReason.UnexpectedStatus);
        assertThat(received).containsExactly("GET null ");
    }
}
