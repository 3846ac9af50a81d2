package dev.healthcheckoperator.sidecar.endpoints;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.checks.CheckEngine;
import dev.healthcheckoperator.sidecar.checks.CheckStatus;
import dev.healthcheckoperator.sidecar.checks.HealthReport;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Provider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The public port: /health (the reference service's answer, plus upstream checks when configured), the
 * kubelet's /health/live, /health/ready and /health/started, and the JSON 404/405 answers. /metrics is
 * served by Micrometer's Prometheus registry on the same router.
 */
@ApplicationScoped
public class PublicRoutes {

    static final String JSON = "application/json";

    private final CheckEngine engine;
    private final RequestCounter counter;
    // Provider: Jackson (hundreds of classes) is only loaded when a JSON body is first built, not at start.
    private final Provider<ObjectMapper> json;
    private final Liveness liveness;
    private final HealthBody healthBody = new HealthBody();
    private volatile boolean started;
    private volatile boolean stopping;

    PublicRoutes(CheckEngine engine, RequestCounter counter, Provider<ObjectMapper> json, Liveness liveness) {
        this.engine = engine;
        this.counter = counter;
        this.json = json;
        this.liveness = liveness;
    }

    void onStart(@Observes StartupEvent event) {
        started = true;
    }

    /**
     * SIGTERM: readiness fails first, while every port still serves (quarkus.shutdown.delay), so the pod
     * leaves the Service's endpoints before its ports close; requests under way then finish
     * (quarkus.shutdown.timeout).
     */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        stopping = true;
    }

    void register(@Observes Router router) {
        // Every answer of this class is counted where it is sent (send): no per-request handler object on the
        // hot path. Only what other code answers (/metrics, Micrometer's route) is counted when its headers go.
        router.route(Route.METRICS.path).order(Integer.MIN_VALUE).handler(ctx -> {
            ctx.addHeadersEndHandler(v -> counter.record(Route.METRICS, ctx.response().getStatusCode()));
            ctx.next();
        });
        // A handler that throws is answered by Quarkus's failure handler: counted too (rare, so per request).
        router.route().order(Integer.MIN_VALUE).failureHandler(ctx -> {
            Route route = Route.of(ctx.normalizedPath());
            ctx.addHeadersEndHandler(v -> counter.record(route, ctx.response().getStatusCode()));
            ctx.next();
        });
        readOnly(router, Route.HEALTH, this::health);
        readOnly(router, Route.LIVE, this::live);
        readOnly(router, Route.READY, this::ready);
        readOnly(router, Route.STARTED, ctx -> probeAnswer(ctx, started, "Starting"));
        router.route().order(Integer.MAX_VALUE).handler(ctx -> error(ctx, 404, "NotFound",
                "no such endpoint; try /health, /health/live, /health/ready, /health/started or /metrics"));
    }

    /** GET and HEAD are served; any other method gets 405 with an Allow header. */
    private void readOnly(Router router, Route route, Consumer<RoutingContext> handler) {
        router.route(route.path).handler(ctx -> {
            HttpMethod method = ctx.request().method();
            if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
                handler.accept(ctx);
            } else {
                ctx.response().putHeader("Allow", "GET, HEAD");
                error(ctx, 405, "MethodNotAllowed", method + " is not allowed on " + route.path + "; use GET or HEAD");
            }
        });
    }

    /** A rendered /health answer with checks, reused until a check changes or the second turns. */
    private record RenderedHealth(String timestamp, List<CheckStatus> checks, int statusCode, Buffer body) {

        boolean isFor(String now, List<CheckStatus> current) {
            if (!timestamp.equals(now) || checks.size() != current.size()) {
                return false;
            }
            for (int i = 0; i < current.size(); i++) {
                if (checks.get(i) != current.get(i)) { // statuses are replaced, never changed
                    return false;
                }
            }
            return true;
        }
    }

    private volatile RenderedHealth lastHealth;

    private void health(RoutingContext ctx) {
        if (!engine.hasChecks()) {
            send(ctx, 200, healthBody.ok());
            return;
        }
        String timestamp = healthBody.timestamp();
        List<CheckStatus> checks = engine.statuses();
        RenderedHealth rendered = lastHealth;
        if (rendered == null || !rendered.isFor(timestamp, checks)) {
            try {
                rendered = render(timestamp, checks);
            } catch (JsonProcessingException e) {
                error(ctx, 500, "InternalError", "the health report could not be written: " + e.getOriginalMessage());
                return;
            }
            lastHealth = rendered;
        }
        send(ctx, rendered.statusCode(), rendered.body());
    }

    private RenderedHealth render(String timestamp, List<CheckStatus> checks) throws JsonProcessingException {
        HealthReport report = HealthReport.of(checks);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", report.status().name());
        body.put("timestamp", timestamp);
        List<Map<String, Object>> items = new ArrayList<>(checks.size());
        for (CheckStatus check : checks) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("name", check.name());
            item.put("status", check.state().name());
            item.put("critical", check.critical());
            item.put("reason", check.reason() == null ? (check.probed() ? "Succeeded" : "Pending") : check.reason().name());
            item.put("message", check.message());
            item.put("latencyMs", check.latencyMillis());
            item.put("consecutiveFailures", check.consecutiveFailures());
            item.put("lastSuccess", rfc3339(check.lastSuccess()));
            item.put("lastTransition", rfc3339(check.lastTransition()));
            item.put("flapping", check.flapping());
            items.add(item);
        }
        body.put("checks", items);
        return new RenderedHealth(timestamp, checks, HealthStatusCodes.of(report.status()),
                Buffer.buffer(json.get().writeValueAsBytes(body)));
    }

    /** Liveness of the sidecar process only: upstream failures must never get it restarted; a deadlock or a stall must. */
    private void live(RoutingContext ctx) {
        Liveness.Verdict verdict = liveness.verdict();
        if (verdict.up()) {
            send(ctx, 200, Buffer.buffer("{\"status\":\"up\"}"));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "down");
        body.put("reason", verdict.reason());
        body.put(verdict.reason().equals("Deadlock") ? "threads" : "checks", verdict.names());
        sendJson(ctx, 503, body);
    }

    /** Ready once every check ran once; it does not follow upstream health, so the Service keeps this pod. */
    private void ready(RoutingContext ctx) {
        if (stopping) {
            probeAnswer(ctx, false, "ShuttingDown");
            return;
        }
        probeAnswer(ctx, engine.allProbedOnce(), "ChecksPending");
    }

    private void probeAnswer(RoutingContext ctx, boolean up, String reasonWhenDown) {
        if (up) {
            send(ctx, 200, Buffer.buffer("{\"status\":\"up\"}"));
        } else {
            send(ctx, 503, Buffer.buffer("{\"status\":\"down\",\"reason\":\"" + reasonWhenDown + "\"}"));
        }
    }

    private static String rfc3339(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private void sendJson(RoutingContext ctx, int status, Object body) {
        try {
            send(ctx, status, Buffer.buffer(json.get().writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            error(ctx, 500, "InternalError", "the answer could not be written: " + e.getOriginalMessage());
        }
    }

    void error(RoutingContext ctx, int status, String reason, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("reason", reason);
        body.put("message", message);
        send(ctx, status, Buffer.buffer(io.vertx.core.json.Json.encode(body)));
    }

    /** Every answer of the public routes goes out here, and is counted by route and status here. */
    void send(RoutingContext ctx, int status, Buffer body) {
        counter.record(Route.of(ctx.normalizedPath()), status); // the path is normalized once per request, then cached
        HttpServerResponse response = ctx.response();
        response.setStatusCode(status).putHeader("Content-Type", JSON).end(body);
    }
}
