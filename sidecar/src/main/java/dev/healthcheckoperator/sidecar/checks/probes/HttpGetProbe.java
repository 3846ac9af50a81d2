package dev.healthcheckoperator.sidecar.checks.probes;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.ChecksFileLoader;
import dev.healthcheckoperator.sidecar.checks.spec.HttpGetAction;
import dev.healthcheckoperator.sidecar.checks.spec.HttpHeader;
import dev.healthcheckoperator.sidecar.checks.spec.JsonPathExpression;
import dev.healthcheckoperator.sidecar.checks.tls.MountedFile;
import io.netty.buffer.ByteBufInputStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code httpGet}: a GET (or HEAD, or POST with the check's body) whose final status (and optionally JSON body)
 * decides, after following up to {@value #MAX_REDIRECTS} redirects when {@code followRedirects} is on. One small
 * pool per check. A redirect is followed with the same method and body, but a body (which may be a credential, like
 * a header) never goes to another origin: such a redirect of a POST is a BadRedirect.
 *
 * <p>A POST is not idempotent, so its connections are not kept alive: PooledExchange re-sends a request only when
 * it went out on a pooled connection the upstream had closed, and without a pool that never happens, so a POST
 * reaches the upstream at most once per probe and hop.
 *
 * <p>A status-only check decides on the status line and never drains the body; a JSON check reads at most the
 * body cap and parses it on a worker thread, off the event loops that serve {@code /health}.
 */
public final class HttpGetProbe implements Probe {

    public static final int MAX_REDIRECTS = 10;
    static final String DEFAULT_USER_AGENT = "healthcheck-sidecar";
    private static final Set<Integer> REDIRECT_STATUSES = Set.of(301, 302, 303, 307, 308);
    /** A body announced at most this long is skipped in the background, so that its connection can be reused. */
    private static final int SKIPPABLE_BODY_BYTES = 16 * 1024;

    private record CompiledAssertion(String path, JsonPointer pointer, String expected) {
    }

    private final Vertx vertx;
    private final HttpGetAction action;
    private final TlsHttpClient clients;
    private final List<CompiledAssertion> assertions;
    private final ObjectMapper json;
    private final int maxBodyBytes;
    private final HttpTarget first;
    private final PooledExchange exchanges = new PooledExchange();
    private final boolean readsFiles;
    private final HttpMethod method;
    /** Whether the requests carry a body; its bytes are those of the probe (see {@link #mountedValues()}). */
    private final boolean sendsBody;
    private final Buffer inlineBody;

    public HttpGetProbe(Vertx vertx, HttpGetAction action, ObjectMapper json, int maxBodyBytes) {
        this.vertx = vertx;
        this.action = action;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
        this.assertions = action.jsonBodyOrEmpty().stream()
                .map(a -> new CompiledAssertion(a.path(), JsonPathExpression.toPointer(a.path()), a.equals()))
                .toList();
        this.first = HttpTarget.of(action);
        this.sendsBody = action.body() != null;
        this.readsFiles = action.headersOrEmpty().stream().anyMatch(h -> h.valueFile() != null)
                || (sendsBody && action.body().valueFile() != null);
        this.method = HttpMethod.valueOf(action.methodOrGet());
        this.inlineBody = action.body() == null || action.body().value() == null ? null
                : Buffer.buffer(action.body().value());
        // Probes of one check never overlap, so one connection per upstream is enough; the wait queue is bounded.
        // Each request says whether it is https; the TLS settings apply to those.
        this.clients = new TlsHttpClient(vertx, () -> new HttpClientOptions()
                .setMaxPoolSize(1)
                .setMaxWaitQueueSize(2)
                .setKeepAlive(method != HttpMethod.POST), action.tlsOrDefault());
    }

    @Override
    public Future<ProbeOutcome> run(ProbeDeadline deadline) {
        Set<String> visited = new HashSet<>();
        visited.add(first.key());
        deadline.phase("reading the mounted TLS, header and body files");
        return clients.current()
                .compose(client -> mountedValues().compose(values ->
                        follow(new Exchange(client, values.headers(), values.body(), deadline), first, 0, visited)))
                .otherwise(ProbeOutcome::fromError);
    }

    /**
     * What every request of one probe shares: the client, the headers and body as read for this probe (null: no
     * body), the deadline.
     */
    private record Exchange(HttpClient client, List<HttpHeader> headers, Buffer body, ProbeDeadline deadline) {
    }

    private record MountedValues(List<HttpHeader> headers, Buffer body) {
    }

    /**
     * The user's headers and body with every {@code valueFile} read now, on a worker thread: a rotated Secret is
     * sent by the next probe. A file that cannot be used fails the probe with a message naming it (never its
     * content).
     */
    private Future<MountedValues> mountedValues() {
        if (!readsFiles) {
            return Future.succeededFuture(new MountedValues(action.headersOrEmpty(), inlineBody));
        }
        return vertx.executeBlocking(() -> new MountedValues(action.headersOrEmpty().stream()
                .map(h -> h.valueFile() == null ? h : new HttpHeader(h.name(), MountedFile.readHeaderValue(h.valueFile())))
                .toList(), sendsBody && action.body().valueFile() != null
                        ? Buffer.buffer(MountedFile.readBody(action.body().valueFile(),
                                ChecksFileLoader.MAX_REQUEST_BODY_LENGTH))
                        : inlineBody), false);
    }

    private Future<ProbeOutcome> follow(Exchange exchange, HttpTarget target, int redirects, Set<String> visited) {
        ProbeDeadline deadline = exchange.deadline();
        return send(exchange, target).compose(response -> {
            int status = response.statusCode();
            if (!action.followsRedirects() || !REDIRECT_STATUSES.contains(status)) {
                return judge(response, target, redirects, deadline);
            }
            String location = response.getHeader(HttpHeaders.LOCATION);
            skipBody(response, deadline);
            HttpTarget next;
            try {
                next = target.redirect(location);
            } catch (HttpTarget.BadRedirectException e) {
                return Future.succeededFuture(ProbeOutcome.failure(FailureReason.BadRedirect,
                        "HTTP " + status + " from " + target.display() + ": " + e.getMessage()));
            }
            if (redirects == MAX_REDIRECTS) {
                return Future.succeededFuture(ProbeOutcome.failure(FailureReason.TooManyRedirects,
                        "more than " + MAX_REDIRECTS + " redirects; the last from " + target.display() + " to "
                                + next.display()));
            }
            if (sendsBody && !next.sendsUserHeaders()) {
                return Future.succeededFuture(ProbeOutcome.failure(FailureReason.BadRedirect,
                        "HTTP " + status + " from " + target.display() + " to another origin, " + next.display()
                                + ": the request body is sent only to the check's own origin"));
            }
            if (!visited.add(next.key())) {
                return Future.succeededFuture(ProbeOutcome.failure(FailureReason.TooManyRedirects,
                        "redirect loop: " + target.display() + " redirects to " + next.display()
                                + ", visited before"));
            }
            return follow(exchange, next, redirects + 1, visited);
        });
    }

    private Future<HttpClientResponse> send(Exchange exchange, HttpTarget target) {
        ProbeDeadline deadline = exchange.deadline();
        RequestOptions options = new RequestOptions().setMethod(method).setFollowRedirects(false)
                .setURI(target.pathAndQuery());
        // The server name is the check's own: a redirect to another origin is verified against that origin's name.
        boolean renamed = target.sendsUserHeaders() && target.host().equals(first.host())
                && target.port() == first.port() && clients.address(options, target.host(), target.port(), target.ssl());
        if (!renamed) {
            options.setHost(target.host()).setPort(target.port()).setSsl(target.ssl());
        }
        return exchanges.send(exchange.client(), options, deadline, request -> {
            if (renamed && target.hostHeader() == null) {
                request.authority(HostAndPort.create(target.host(), target.port()));
            }
            setHeaders(request, target, exchange.headers());
            deadline.phase("waiting for the response headers");
            return exchange.body() == null ? request.send() : request.send(exchange.body());
        });
    }

    /**
     * The user's headers replace the defaults of the same name (User-Agent, Host) rather than being sent beside
     * them; they go only to the origin the check names and only until a redirect leaves it (see HttpTarget).
     */
    private void setHeaders(HttpClientRequest request, HttpTarget target, List<HttpHeader> headers) {
        request.putHeader(HttpHeaders.USER_AGENT, DEFAULT_USER_AGENT);
        if (sendsBody) {
            request.putHeader(HttpHeaders.CONTENT_TYPE, action.contentTypeOrDefault());
        }
        if (target.hostHeader() != null) {
            HostAndPort authority = HostAndPort.parseAuthority(target.hostHeader(), -1);
            if (authority == null) {
                throw new IllegalArgumentException("Host header '" + target.hostHeader() + "' is not host[:port]");
            }
            request.authority(authority);
        }
        if (!target.sendsUserHeaders()) {
            return;
        }
        Set<String> replaced = new HashSet<>();
        for (HttpHeader header : headers) {
            if (header.name().equalsIgnoreCase("Host")) {
                continue; // sent as the request's authority above
            }
            if (replaced.add(header.name().toLowerCase(Locale.ROOT))) {
                request.putHeader(header.name(), header.value());
            } else {
                request.headers().add(header.name(), header.value());
            }
        }
    }

    private Future<ProbeOutcome> judge(HttpClientResponse response, HttpTarget target, int redirects,
            ProbeDeadline deadline) {
        int status = response.statusCode();
        String at = redirects == 0 ? ""
                : " at " + target.display() + " after " + redirects + (redirects == 1 ? " redirect" : " redirects");
        if (!action.accepts(status)) {
            skipBody(response, deadline);
            return Future.succeededFuture(ProbeOutcome.failure(FailureReason.UnexpectedStatus,
                    "HTTP " + status + ", expected " + expectedText() + at));
        }
        if (assertions.isEmpty()) {
            skipBody(response, deadline);
            return Future.succeededFuture(ProbeOutcome.success("HTTP " + status + at));
        }
        deadline.phase("reading the body");
        return BoundedBody.read(response, maxBodyBytes)
                // Parsing up to the cap is CPU work: a worker thread does it, not an event loop serving /health.
                .compose(body -> vertx.executeBlocking(() -> checkBody(status, body, at), false))
                .recover(error -> Future.succeededFuture(error instanceof BoundedBody.TooLargeException
                        ? ProbeOutcome.failure(FailureReason.BodyTooLarge, error.getMessage() + at)
                        : ProbeOutcome.fromError(error)));
    }

    /**
     * The status has decided, so the body is not read. A short announced body is let through in the background
     * (never past the probe's deadline) so that the connection can be reused; anything else, chunked, long or
     * endless, is reset at once, which closes its connection instead of draining it.
     */
    private void skipBody(HttpClientResponse response, ProbeDeadline deadline) {
        int status = response.statusCode();
        long length = BoundedBody.contentLength(response);
        // A HEAD answer announces the length of a body it does not send.
        if (length == 0 || status == 204 || status == 304 || method == HttpMethod.HEAD) {
            return;
        }
        if (length < 0 || length > SKIPPABLE_BODY_BYTES) {
            response.request().reset();
            return;
        }
        long timer = vertx.setTimer(deadline.remainingMillis(), id -> response.request().reset());
        response.handler(chunk -> {
        });
        response.exceptionHandler(error -> vertx.cancelTimer(timer));
        response.endHandler(v -> vertx.cancelTimer(timer));
    }

    private ProbeOutcome checkBody(int status, Buffer body, String at) {
        JsonNode root;
        try (InputStream in = new ByteBufInputStream(body.getByteBuf())) {
            root = json.readTree(in);
        } catch (IOException e) {
            return ProbeOutcome.failure(FailureReason.BodyMismatch, "HTTP " + status + " but the body is not JSON"
                    + at);
        }
        if (root == null || root.isMissingNode()) {
            return ProbeOutcome.failure(FailureReason.BodyMismatch, "HTTP " + status + " with an empty body" + at);
        }
        for (CompiledAssertion assertion : assertions) {
            JsonNode node = root.at(assertion.pointer());
            if (node.isMissingNode()) {
                return ProbeOutcome.failure(FailureReason.BodyMismatch, assertion.path() + " is missing" + at);
            }
            String actual = node.isValueNode() ? node.asText() : node.toString();
            if (!actual.equals(assertion.expected())) {
                return ProbeOutcome.failure(FailureReason.BodyMismatch,
                        assertion.path() + " is '" + actual + "', expected '" + assertion.expected() + "'" + at);
            }
        }
        return ProbeOutcome.success("HTTP " + status + ", body matches" + at);
    }

    private String expectedText() {
        return action.expectedStatuses() == null || action.expectedStatuses().isEmpty()
                ? "200-399" : action.expectedStatuses().toString();
    }

    @Override
    public void close() {
        clients.close();
    }
}
