package dev.healthcheckoperator.sidecar.diagnostics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.config.SidecarConfig;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Provider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The diagnostics port: heap, histogram, heap dump, threads and leak diagnosis, the JVM's answer to Go's
 * net/http/pprof. Off unless enabled, on its own port, and every request needs the bearer token; a wrong
 * or missing token gets the same 401 on every path, so nothing else is revealed.
 */
@ApplicationScoped
public class DiagnosticsServer {

    static final int MAX_HISTOGRAM_ROWS = 1000;
    private static final int DEFAULT_HISTOGRAM_ROWS = 20;

    private final Vertx vertx;
    private final SidecarConfig.Diagnostics config;
    // Provider: Jackson (hundreds of classes) is only loaded when a JSON body is first built, not at start.
    private final Provider<ObjectMapper> json;
    private BearerToken token;
    private HeapDumper heapDumper;
    private final ClassHistogram histogram = new ClassHistogram();
    private long tokenReloadTimer = -1;
    private SampleRing samples;
    private HttpServer server;
    private long samplerTimer = -1;

    DiagnosticsServer(Vertx vertx, SidecarConfig config, Provider<ObjectMapper> json) {
        this.vertx = vertx;
        this.config = config.diagnostics();
        this.json = json;
    }

    /**
     * Started while the public routes are set up, i.e. before any port opens: a missing token or a busy
     * port stops the sidecar instead of leaving it half started.
     */
    void start(@Observes Router publicRouter) throws Exception {
        if (!config.enabled()) {
            return;
        }
        requirePositive("sidecar.diagnostics.token-reload-interval", config.tokenReloadInterval());
        requirePositive("sidecar.diagnostics.idle-timeout", config.idleTimeout());
        token = BearerToken.load(config.tokenFile(), config.token());
        if (token.reloadable()) {
            tokenReloadTimer = vertx.setPeriodic(config.tokenReloadInterval().toMillis(),
                    id -> vertx.executeBlocking(() -> {
                        token.reload();
                        return null;
                    }, false));
        }
        heapDumper = new HeapDumper(config.heapDumpDir().orElse(Path.of(System.getProperty("java.io.tmpdir"))),
                config.heapDumpReserveBytes(),
                config.heapDumpVolumeBytes().map(OptionalLong::of).orElse(OptionalLong.empty()));
        heapDumper.removeLeftovers();
        samples = new SampleRing(config.sampleCount());
        samples.add(ProcessSample.now());
        samplerTimer = vertx.setPeriodic(config.sampleInterval().toMillis(), id -> samples.add(ProcessSample.now()));

        Router router = Router.router(vertx);
        router.route().handler(this::authenticate);
        router.get("/debug/heap").handler(ctx -> blockingJson(ctx, HeapSummary::collect));
        router.get("/debug/heap/histogram").handler(this::histogram);
        router.get("/debug/heapdump").handler(this::heapDump);
        router.get("/debug/threads").handler(this::threads);
        router.get("/debug/diagnose").handler(ctx -> blockingJson(ctx, this::diagnose));
        router.route().handler(ctx -> error(ctx, ctx.request().method() == HttpMethod.GET ? 404 : 405,
                "no such diagnostics endpoint; GET /debug/heap, /debug/heap/histogram, /debug/heapdump, "
                        + "/debug/threads or /debug/diagnose"));
        // The idle timeout also ends a dump transfer whose client stopped reading: the close frees the slot
        // and removes the file.
        server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
                        .setIdleTimeout((int) config.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
                .requestHandler(router);
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        Log.infof("diagnostics listening on %s:%d", config.host(), server.actualPort());
    }

    private static void requirePositive(String property, java.time.Duration value) {
        if (value.toMillis() < 1) {
            throw new IllegalArgumentException(property + " must be at least 1ms, got " + value);
        }
    }

    /** Port actually bound (tests use port 0). */
    public int port() {
        return server == null ? -1 : server.actualPort();
    }

    @PreDestroy
    void stop() {
        if (samplerTimer >= 0) {
            vertx.cancelTimer(samplerTimer);
        }
        if (tokenReloadTimer >= 0) {
            vertx.cancelTimer(tokenReloadTimer);
        }
        if (server != null) {
            server.close();
        }
    }

    private void authenticate(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        byte[] presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!token.matches(presented)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"diagnostics\"");
            error(ctx, 401, "a valid bearer token is required");
            return;
        }
        ctx.next();
    }

    private void histogram(RoutingContext ctx) {
        String top = ctx.queryParams().get("top");
        int limit = DEFAULT_HISTOGRAM_ROWS;
        if (top != null) {
            try {
                limit = Integer.parseInt(top);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_HISTOGRAM_ROWS) {
                error(ctx, 400, "top must be a whole number from 1 to " + MAX_HISTOGRAM_ROWS + ", got '" + top + "'");
                return;
            }
        }
        int rows = limit;
        blockingJson(ctx, () -> histogram.top(rows));
    }

    private void heapDump(RoutingContext ctx) {
        String live = ctx.queryParams().get("live");
        if (live != null && !live.equals("true") && !live.equals("false")) {
            error(ctx, 400, "live must be true or false, got '" + live + "'");
            return;
        }
        boolean liveOnly = !"false".equals(live);
        vertx.<HeapDumper.Dump>executeBlocking(() -> heapDumper.write(liveOnly), false).onComplete(result -> {
            if (result.failed()) {
                Throwable cause = result.cause();
                if (cause instanceof BusyException) {
                    busy(ctx, cause);
                } else if (cause instanceof HeapDumper.InsufficientSpaceException) {
                    error(ctx, 507, cause.getMessage());
                } else if (cause instanceof UnsupportedOperationException || cause instanceof IllegalArgumentException
                        && ProcessStats.nativeImage()) {
                    error(ctx, 501, "this runtime cannot write heap dumps: " + cause.getMessage());
                } else {
                    Log.warn("heap dump failed", cause);
                    error(ctx, 500, "heap dump failed: " + cause.getMessage());
                }
                return;
            }
            HeapDumper.Dump dump = result.result();
            if (ctx.response().closed()) { // the client went away (or idled out) while the dump was written
                dump.close();
                return;
            }
            ctx.response()
                    .putHeader("Content-Type", "application/octet-stream")
                    .putHeader("Content-Disposition", "attachment; filename=\"heap-"
                            + ProcessHandle.current().pid() + "-" + Instant.now().getEpochSecond() + ".hprof\"");
            // Remove the file however the transfer ends: done, failed, or the client went away.
            ctx.response().closeHandler(v -> dump.close());
            // Piped in small writes rather than sendFile's one long zero-copy write: each write that completes
            // counts as activity, so the idle timeout ends a transfer whose client stopped reading, and only then.
            vertx.fileSystem().open(dump.file.toString(), new OpenOptions().setRead(true)).onComplete(opened -> {
                if (opened.failed()) {
                    dump.close();
                    error(ctx, 500, "heap dump failed: " + opened.cause().getMessage());
                    return;
                }
                AsyncFile file = opened.result();
                ctx.response().putHeader("Content-Length", Long.toString(dump.sizeBytes));
                file.pipeTo(ctx.response()).onComplete(done -> {
                    file.close();
                    dump.close();
                });
            });
        });
    }

    private void threads(RoutingContext ctx) {
        String format = ctx.queryParams().get("format");
        String accept = ctx.request().getHeader("Accept");
        boolean asJson = "json".equals(format) || format == null && accept != null && accept.contains("application/json");
        if (format != null && !format.equals("json") && !format.equals("text")) {
            error(ctx, 400, "format must be text or json, got '" + format + "'");
            return;
        }
        if (asJson) {
            blockingJson(ctx, () -> ThreadDump.json(ThreadDump.take()));
        } else {
            vertx.executeBlocking(() -> ThreadDump.text(ThreadDump.take()), false).onComplete(result -> {
                if (result.failed()) {
                    error(ctx, 500, "thread dump failed: " + result.cause().getMessage());
                } else {
                    ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(result.result());
                }
            });
        }
    }

    private Map<String, Object> diagnose() {
        List<LeakDiagnosis.Finding> findings = LeakDiagnosis.diagnose(samples.snapshotWith(ProcessSample.now()),
                DeadlockDetector.deadlockedThreads());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("verdict", LeakDiagnosis.worst(findings).name());
        body.put("sampleIntervalSeconds", config.sampleInterval().toSeconds());
        body.put("findings", findings);
        return body;
    }

    private void blockingJson(RoutingContext ctx, Callable<Object> producer) {
        vertx.executeBlocking(() -> json.get().writeValueAsBytes(producer.call()), false).onComplete(result -> {
            if (result.succeeded()) {
                ctx.response().putHeader("Content-Type", "application/json").end(Buffer.buffer(result.result()));
            } else if (result.cause() instanceof BusyException) {
                busy(ctx, result.cause());
            } else if (result.cause() instanceof ClassHistogram.UnsupportedRuntimeException) {
                error(ctx, 501, result.cause().getMessage());
            } else {
                Log.warn("diagnostics request failed", result.cause());
                error(ctx, 500, String.valueOf(result.cause().getMessage()));
            }
        });
    }

    private void busy(RoutingContext ctx, Throwable cause) {
        ctx.response().putHeader("Retry-After", "10");
        error(ctx, 429, cause.getMessage());
    }

    private void error(RoutingContext ctx, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("message", message);
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(Buffer.buffer(json.get().writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
