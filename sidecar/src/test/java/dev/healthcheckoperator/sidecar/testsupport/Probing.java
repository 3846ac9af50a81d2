package dev.healthcheckoperator.sidecar.testsupport;

import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.probes.Probe;
import dev.healthcheckoperator.sidecar.checks.probes.ProbeDeadline;
import dev.healthcheckoperator.sidecar.checks.spec.HttpGetAction;
import dev.healthcheckoperator.sidecar.checks.spec.HttpHeader;
import dev.healthcheckoperator.sidecar.checks.spec.JsonBodyAssertion;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs probes the way the check runner does (under one deadline), and builds httpGet actions for tests. */
public final class Probing {

    private Probing() {
    }

    /** One probe under its deadline; the wait for the answer is bounded well past the deadline. */
    public static ProbeOutcome once(Vertx vertx, Probe probe, long timeoutMillis) throws Exception {
        return ProbeDeadline.run(vertx, probe, timeoutMillis).toCompletionStage().toCompletableFuture()
                .get(timeoutMillis + 10_000, TimeUnit.MILLISECONDS);
    }

    public static HttpGetAction get(String url) {
        return get(url, null, null, null, null);
    }

    public static HttpGetAction get(String url, List<HttpHeader> headers, List<Integer> expected,
            List<JsonBodyAssertion> body, Boolean followRedirects) {
        return new HttpGetAction(url, null, null, null, null, headers, expected, body, null, followRedirects);
    }
}
