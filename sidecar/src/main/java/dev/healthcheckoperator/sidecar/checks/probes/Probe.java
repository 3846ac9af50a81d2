package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import io.vertx.core.Future;

/** One kind of upstream probe. Implementations never fail the future: failures are outcomes. */
public interface Probe {

    /**
     * Starts one probe. It must finish on its own within about {@code timeoutMillis} (connect and idle
     * timeouts), so that a hung upstream never holds more than one probe.
     */
    Future<ProbeOutcome> run(long timeoutMillis);

    /** Releases connections and pools. */
    void close();
}
