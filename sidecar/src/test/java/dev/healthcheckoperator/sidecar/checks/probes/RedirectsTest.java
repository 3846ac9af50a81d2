package dev.healthcheckoperator.sidecar.checks.probes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.HttpGetAction;
import dev.healthcheckoperator.sidecar.checks.spec.HttpHeader;
import dev.healthcheckoperator.sidecar.checks.spec.JsonBodyAssertion;
import dev.healthcheckoperator.sidecar.testsupport.Probing;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * httpGet follows redirects (issue 16) against two real local servers; the second one, on another port, counts
 * as another host. Each case asserts the reason and the message.
 */
class RedirectsTest {

    private static final long TIMEOUT_MS = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpHeader AUTHORIZATION = new HttpHeader("Authorization", "Bearer s3cret");
    private static Vertx vertx;
    private static HttpServer main;
    private static HttpServer other;
    /** The Authorization header each path received ("-" when none), per server. */
    private static final Map<String, String> mainAuthorization = new ConcurrentHashMap<>();
    private static final Map<String, String> otherAuthorization = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        other = listen(request -> {
            otherAuthorization.put(request.path(), String.valueOf(request.getHeader("Authorization")));
            if (request.path().equals("/bounce")) {
                redirect(request, 302, "http://127.0.0.1:" + main.actualPort() + "/ok?from=other");
                return;
            }
            request.response().putHeader("content-type", "application/json").end("{\"status\":\"UP\"}");
        });
        main = listen(RedirectsTest::answer);
    }

    private static HttpServer listen(io.vertx.core.Handler<HttpServerRequest> handler) throws Exception {
        return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1")).requestHandler(handler)
                .listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static void answer(HttpServerRequest request) {
        String path = request.path();
        mainAuthorization.put(path, String.valueOf(request.getHeader("Authorization")));
        if (path.startsWith("/hop/")) {
            int hop = Integer.parseInt(path.substring(5));
            if (hop < 11) {
                redirect(request, 302, "/hop/" + (hop + 1));
            } else {
                request.response().end("{\"status\":\"UP\"}");
            }
            return;
        }
        switch (path) {
            case "/to-ok" -> redirect(request, 302, "/ok");
            case "/to-fail" -> redirect(request, 302, "/fail");
            case "/to-fail-with-token" -> redirect(request, 303, "/fail?token=s3cret");
            case "/dir/to-relative" -> redirect(request, 301, "relative?x=1");
            case "/to-absolute" -> redirect(request, 307, "http://127.0.0.1:" + main.actualPort() + "/ok");
            case "/to-other-host" -> redirect(request, 308, "http://127.0.0.1:" + other.actualPort() + "/landing?t=1");
            case "/to-other-and-back" -> redirect(request, 302, "http://127.0.0.1:" + other.actualPort() + "/bounce");
            case "/to-other-with-userinfo" -> redirect(request, 302,
                    "http://user:pa55@127.0.0.1:" + other.actualPort() + "/landing?t=1");
            case "/loop" -> redirect(request, 302, "/loop");
            case "/to-ftp" -> redirect(request, 302, "ftp://127.0.0.1/file");
            case "/to-garbage" -> redirect(request, 302, "http://u:pw@[not a host/x#access_token=k");
            case "/no-location" -> request.response().setStatusCode(302).end();
            case "/ok", "/dir/relative" -> request.response().putHeader("content-type", "application/json")
                    .end("{\"status\":\"UP\"}");
            case "/fail" -> request.response().setStatusCode(500).end("{\"status\":\"DOWN\"}");
            default -> request.response().setStatusCode(404).end();
        }
    }

    private static void redirect(HttpServerRequest request, int status, String location) {
        request.response().setStatusCode(status).putHeader("Location", location).end("moved");
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void forget() {
        mainAuthorization.clear();
        otherAuthorization.clear();
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + main.actualPort() + path;
    }

    private static ProbeOutcome probe(HttpGetAction action) throws Exception {
        HttpGetProbe probe = new HttpGetProbe(vertx, action, JSON, 64 * 1024);
        try {
            return Probing.once(vertx, probe, TIMEOUT_MS);
        } finally {
            probe.close();
        }
    }

    private static ProbeOutcome get(String path) throws Exception {
        return probe(Probing.get(url(path)));
    }

    @Test
    void redirectToA200Passes() throws Exception {
        ProbeOutcome outcome = get("/to-ok");
        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        assertThat(outcome.message()).isEqualTo("HTTP 200 at " + url("/ok") + " after 1 redirect");
    }

    @Test
    void redirectToA500FailsWithTheFinalStatus() throws Exception {
        ProbeOutcome outcome = get("/to-fail");
        assertThat(outcome.reason()).isEqualTo(FailureReason.UnexpectedStatus);
        assertThat(outcome.message()).isEqualTo("HTTP 500, expected 200-399 at " + url("/fail") + " after 1 redirect");
    }

    @Test
    void theMessageNamesTheFinalUrlWithoutItsQuery() throws Exception {
        ProbeOutcome outcome = get("/to-fail-with-token");
        assertThat(outcome.reason()).isEqualTo(FailureReason.UnexpectedStatus);
        assertThat(outcome.message()).isEqualTo("HTTP 500, expected 200-399 at " + url("/fail") + " after 1 redirect")
                .doesNotContain("s3cret");
    }

    @Test
    void relativeAndAbsoluteLocationsAreFollowed() throws Exception {
        ProbeOutcome relative = get("/dir/to-relative");
        assertThat(relative.success()).as(relative.toString()).isTrue();
        assertThat(relative.message()).isEqualTo("HTTP 200 at " + url("/dir/relative") + " after 1 redirect");
        ProbeOutcome absolute = get("/to-absolute");
        assertThat(absolute.success()).as(absolute.toString()).isTrue();
        assertThat(absolute.message()).isEqualTo("HTTP 200 at " + url("/ok") + " after 1 redirect");
    }

    @Test
    void theFinalBodyIsJudged() throws Exception {
        ProbeOutcome outcome = probe(Probing.get(url("/to-ok"), null, null,
                List.of(new JsonBodyAssertion("$.status", "DOWN")), null));
        assertThat(outcome.reason()).isEqualTo(FailureReason.BodyMismatch);
        assertThat(outcome.message()).isEqualTo("$.status is 'UP', expected 'DOWN' at " + url("/ok")
                + " after 1 redirect");
    }

    @Test
    void aLoopIsTooManyRedirects() throws Exception {
        ProbeOutcome outcome = get("/loop");
        assertThat(outcome.reason()).isEqualTo(FailureReason.TooManyRedirects);
        assertThat(outcome.message()).isEqualTo("redirect loop: " + url("/loop") + " redirects to " + url("/loop")
                + ", visited before");
    }

    @Test
    void tenRedirectsAreFollowedAndEleventhIsTooMany() throws Exception {
        ProbeOutcome ten = get("/hop/1");
        assertThat(ten.success()).as(ten.toString()).isTrue();
        assertThat(ten.message()).isEqualTo("HTTP 200 at " + url("/hop/11") + " after 10 redirects");
        mainAuthorization.clear();

        ProbeOutcome eleven = get("/hop/0");
        assertThat(eleven.reason()).isEqualTo(FailureReason.TooManyRedirects);
        assertThat(eleven.message()).isEqualTo("more than 10 redirects; the last from " + url("/hop/10") + " to "
                + url("/hop/11"));
        assertThat(mainAuthorization).doesNotContainKey("/hop/11");
    }

    @Test
    void headersGoAgainToTheSameHostAndPortOnly() throws Exception {
        ProbeOutcome same = probe(Probing.get(url("/to-ok"), List.of(AUTHORIZATION), null, null, null));
        assertThat(same.success()).as(same.toString()).isTrue();
        assertThat(mainAuthorization).containsEntry("/to-ok", "Bearer s3cret").containsEntry("/ok", "Bearer s3cret");

        ProbeOutcome elsewhere = probe(Probing.get(url("/to-other-host"), List.of(AUTHORIZATION), null, null, null));
        assertThat(elsewhere.success()).as(elsewhere.toString()).isTrue();
        String landing = "http://127.0.0.1:" + other.actualPort() + "/landing";
        assertThat(elsewhere.message()).isEqualTo("HTTP 200 at " + landing + " after 1 redirect");
        assertThat(mainAuthorization).containsEntry("/to-other-host", "Bearer s3cret");
        assertThat(otherAuthorization).containsEntry("/landing", "null"); // not leaked to the other origin
    }

    @Test
    void userHeadersAreNotSentAgainWhenTheChainComesBackFromAnotherOrigin() throws Exception {
        ProbeOutcome outcome = probe(Probing.get(url("/to-other-and-back"), List.of(AUTHORIZATION), null, null,
                null));
        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        assertThat(outcome.message()).isEqualTo("HTTP 200 at " + url("/ok") + " after 2 redirects");
        assertThat(mainAuthorization).containsEntry("/to-other-and-back", "Bearer s3cret")
                .containsEntry("/ok", "null");
        assertThat(otherAuthorization).containsEntry("/bounce", "null");
    }

    @Test
    void credentialsInALocationAreNotInTheMessage() throws Exception {
        ProbeOutcome outcome = get("/to-other-with-userinfo");
        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        assertThat(outcome.message()).isEqualTo("HTTP 200 at http://127.0.0.1:" + other.actualPort()
                + "/landing after 1 redirect");
    }

    @Test
    void followRedirectsFalseJudgesTheRedirectItself() throws Exception {
        ProbeOutcome any3xx = probe(Probing.get(url("/to-fail"), null, null, null, false));
        assertThat(any3xx.success()).as(any3xx.toString()).isTrue();
        assertThat(any3xx.message()).isEqualTo("HTTP 302");
        assertThat(mainAuthorization).doesNotContainKey("/fail");

        ProbeOutcome only200 = probe(Probing.get(url("/to-ok"), null, List.of(200), null, false));
        assertThat(only200.reason()).as(only200.toString()).isEqualTo(FailureReason.UnexpectedStatus);
        assertThat(only200.message()).isEqualTo("HTTP 302, expected [200]");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /to-ftp      | Location 'ftp://127.0.0.1/file' is not http or https; only those are followed
            /to-garbage  | Location 'http://[not a host/x' cannot be parsed
            /no-location | redirect without a Location header
            """)
    void aLocationThatCannotBeFollowedIsABadRedirect(String path, String detail) throws Exception {
        ProbeOutcome outcome = get(path);
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.BadRedirect);
        assertThat(outcome.message()).isEqualTo("HTTP 302 from " + url(path) + ": " + detail);
    }
}
