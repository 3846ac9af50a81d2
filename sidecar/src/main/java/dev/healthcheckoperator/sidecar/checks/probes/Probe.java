package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;

/** One kind of upstream probe. Implementations fail the future only on bugs: failures are outcomes. */
public interface Probe {

    /**
     * Starts one probe. Every wait is bounded by {@code deadline}: each step takes its timeout from
     * {@link ProbeDeadline#remainingMillis()} and registers its I/O with {@link ProbeDeadline#onCancel}, so that
     * at the deadline nothing of this probe is left running. Run it through {@link ProbeDeadline#run}, which starts
     * it on an event loop.
     */
    Future<ProbeOutcome> run(ProbeDeadline deadline);

    /** Registers the meters only this kind of probe has (tagged with its check), none by default. */
    default void registerMeters(MeterRegistry registry, Tags tags) {
    }

    /** Releases connections and pools. */
    void close();
}
