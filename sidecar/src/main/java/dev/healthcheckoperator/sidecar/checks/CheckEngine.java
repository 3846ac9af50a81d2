package dev.healthcheckoperator.sidecar.checks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.checks.probes.DnsProbe;
import dev.healthcheckoperator.sidecar.checks.probes.GrpcHealthProbe;
import dev.healthcheckoperator.sidecar.checks.probes.HttpGetProbe;
import dev.healthcheckoperator.sidecar.checks.probes.Probe;
import dev.healthcheckoperator.sidecar.checks.probes.TcpSocketProbe;
import dev.healthcheckoperator.sidecar.checks.probes.TlsCertificateProbe;
import dev.healthcheckoperator.sidecar.checks.spec.Check;
import dev.healthcheckoperator.sidecar.checks.spec.CheckDefinition;
import dev.healthcheckoperator.sidecar.checks.spec.ChecksFileLoader;
import dev.healthcheckoperator.sidecar.config.SidecarConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the checks file and runs every check. It is created while the HTTP routes are set up, before the
 * port opens, so a bad file stops the sidecar before it serves anything.
 */
@Singleton // no lazy client proxy: it must be built (and fail) while the routes are set up
public class CheckEngine {

    private final Vertx vertx;
    private final SidecarConfig config;
    private final MeterRegistry registry;
    // Provider: Jackson (hundreds of classes) is only loaded when a JSON body is first built, not at start.
    private final Provider<ObjectMapper> json;
    private List<CheckRunner> runners = List.of();

    CheckEngine(Vertx vertx, SidecarConfig config, MeterRegistry registry, Provider<ObjectMapper> json) {
        this.vertx = vertx;
        this.config = config;
        this.registry = registry;
        this.json = json;
    }

    @PostConstruct
    void start() {
        List<Check> checks = config.configFile().map(ChecksFileLoader::load).orElse(List.of());
        runners = checks.stream()
                .map(check -> new CheckRunner(check, probeFor(check), vertx, registry, Clock.systemUTC()))
                .toList();
        runners.forEach(CheckRunner::start);
        if (!runners.isEmpty()) {
            Log.infof("running %d checks from %s", runners.size(), config.configFile().get());
        }
    }

    private Probe probeFor(Check check) {
        CheckDefinition def = check.definition();
        if (def.httpGet() != null) {
            return new HttpGetProbe(vertx, def.httpGet(), json.get(), config.maxResponseBodyBytes());
        }
        if (def.tcpSocket() != null) {
            return new TcpSocketProbe(vertx, def.tcpSocket());
        }
        if (def.dns() != null) {
            return new DnsProbe(vertx, def.dns());
        }
        if (def.tlsCertificate() != null) {
            return new TlsCertificateProbe(vertx, def.tlsCertificate(), Clock.systemUTC());
        }
        return new GrpcHealthProbe(vertx, def.grpc());
    }

    @PreDestroy
    void stop() {
        runners.forEach(CheckRunner::stop);
    }

    public boolean hasChecks() {
        return !runners.isEmpty();
    }

    /** Ready once every check has been probed once: before that /health would only say "unknown". */
    public boolean allProbedOnce() {
        for (CheckRunner runner : runners) {
            if (!runner.status().probed()) {
                return false;
            }
        }
        return true;
    }

    /** Checks whose scheduler has not completed a period for {@code periods} of their periods, in file order. */
    public List<String> stalledChecks(int periods) {
        long now = System.nanoTime();
        List<String> stalled = new ArrayList<>(0);
        for (CheckRunner runner : runners) {
            if (runner.stalled(now, periods)) {
                stalled.add(runner.name());
            }
        }
        return stalled;
    }

    /** The current status of every check, in file order; each is replaced (never changed) after a probe. */
    public List<CheckStatus> statuses() {
        List<CheckStatus> statuses = new ArrayList<>(runners.size());
        for (CheckRunner runner : runners) {
            statuses.add(runner.status());
        }
        return statuses;
    }
}
