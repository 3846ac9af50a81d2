package dev.healthcheckoperator.sidecar.checks.probes;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.HttpGetAction;
import dev.healthcheckoperator.sidecar.checks.spec.HttpHeader;
import dev.healthcheckoperator.sidecar.checks.spec.JsonBodyAssertion;
import dev.healthcheckoperator.sidecar.checks.spec.JsonPathExpression;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.util.List;

/** {@code httpGet}: a GET whose status (and optionally JSON body) decides. One small pool per check. */
public final class HttpGetProbe implements Probe {

    private record CompiledAssertion(String path, JsonPointer pointer, String expected) {
    }

    private final HttpGetAction action;
    private final HttpClient client;
    private final List<CompiledAssertion> assertions;
    private final ObjectMapper json;
    private final int maxBodyBytes;

    public HttpGetProbe(Vertx vertx, HttpGetAction action, ObjectMapper json, int maxBodyBytes) {
        this.action = action;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
        this.assertions = action.jsonBodyOrEmpty().stream()
                .map(a -> new CompiledAssertion(a.path(), JsonPathExpression.toPointer(a.path()), a.equals()))
                .toList();
        // Probes of one check never overlap, so one connection is enough; the wait queue is bounded too.
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setMaxPoolSize(1)
                .setMaxWaitQueueSize(2)
                .setKeepAlive(true)
                .setTrustAll(Boolean.TRUE.equals(action.insecureSkipTlsVerify()))
                .setVerifyHost(!Boolean.TRUE.equals(action.insecureSkipTlsVerify())));
    }

    @Override
    public Future<ProbeOutcome> run(long timeoutMillis) {
        RequestOptions options = requestOptions().setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis);
        return client.request(options)
                .compose(request -> request.send())
                .compose(this::judge)
                .otherwise(ProbeOutcome::fromError);
    }

    private RequestOptions requestOptions() {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setFollowRedirects(false);
        if (action.url() != null) {
            options.setAbsoluteURI(action.url());
        } else {
            boolean https = "HTTPS".equalsIgnoreCase(action.scheme());
            options.setHost(action.host()).setPort(action.port()).setSsl(https)
                    .setURI(action.path() == null ? "/" : action.path());
        }
        options.putHeader("User-Agent", "healthcheck-sidecar");
        for (HttpHeader header : action.headersOrEmpty()) {
            options.addHeader(header.name(), header.value());
        }
        return options;
    }

    private Future<ProbeOutcome> judge(HttpClientResponse response) {
        int status = response.statusCode();
        if (!action.accepts(status)) {
            // Drain and keep the connection; the status alone decides.
            return response.end().map(v -> ProbeOutcome.failure(FailureReason.UnexpectedStatus,
                    "HTTP " + status + ", expected " + expectedText()));
        }
        if (assertions.isEmpty()) {
            return response.end().map(v -> ProbeOutcome.success("HTTP " + status));
        }
        return BoundedBody.read(response, maxBodyBytes)
                .map(body -> checkBody(status, body))
                .recover(error -> Future.succeededFuture(error instanceof BoundedBody.TooLargeException
                        ? ProbeOutcome.failure(FailureReason.BodyTooLarge, error.getMessage())
                        : ProbeOutcome.fromError(error)));
    }

    private ProbeOutcome checkBody(int status, Buffer body) {
        JsonNode root;
        try {
            root = json.readTree(body.getBytes());
        } catch (IOException e) {
            return ProbeOutcome.failure(FailureReason.BodyMismatch, "HTTP " + status + " but the body is not JSON");
        }
        if (root == null) {
            return ProbeOutcome.failure(FailureReason.BodyMismatch, "HTTP " + status + " with an empty body");
        }
        for (CompiledAssertion assertion : assertions) {
            JsonNode node = root.at(assertion.pointer());
            if (node.isMissingNode()) {
                return ProbeOutcome.failure(FailureReason.BodyMismatch, assertion.path() + " is missing");
            }
            String actual = node.isValueNode() ? node.asText() : node.toString();
            if (!actual.equals(assertion.expected())) {
                return ProbeOutcome.failure(FailureReason.BodyMismatch,
                        assertion.path() + " is '" + actual + "', expected '" + assertion.expected() + "'");
            }
        }
        return ProbeOutcome.success("HTTP " + status + ", body matches");
    }

    private String expectedText() {
        return action.expectedStatuses() == null || action.expectedStatuses().isEmpty()
                ? "200-399" : action.expectedStatuses().toString();
    }

    @Override
    public void close() {
        client.close();
    }
}
