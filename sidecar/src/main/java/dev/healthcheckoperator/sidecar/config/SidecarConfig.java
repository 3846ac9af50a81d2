package dev.healthcheckoperator.sidecar.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Runtime settings of the sidecar. Every property can also be given as an environment variable
 * ({@code sidecar.config-file} is {@code SIDECAR_CONFIG_FILE}); the operator sets them that way.
 */
@ConfigMapping(prefix = "sidecar")
public interface SidecarConfig {

    /** The checks file (JSON or YAML). Absent: the sidecar answers exactly like the reference service. */
    Optional<Path> configFile();

    /**
     * Largest upstream response body read for JSON body assertions; more fails the check (BodyTooLarge). Health
     * bodies are small; 64 checks at this cap must fit the sidecar's small heap.
     */
    @WithDefault("65536")
    int maxResponseBodyBytes();

    Liveness liveness();

    Diagnostics diagnostics();

    interface Liveness {

        /**
         * /health/live fails when a check has not completed a period for this many of its periods: every
         * period records a result (a Timeout at worst), so only a stuck scheduler stays silent that long.
         */
        @WithDefault("3")
        int stalledPeriods();
    }

    interface Diagnostics {

        /** Off by default: heap and thread data can leak secrets held in memory. */
        @WithDefault("false")
        boolean enabled();

        /** Port of the diagnostics server; never the public /health port. */
        @WithDefault("9000")
        int port();

        /**
         * Address the diagnostics server binds. Loopback by default: {@code kubectl port-forward} reaches it,
         * nothing else in the cluster does.
         */
        @WithDefault("127.0.0.1")
        String host();

        /**
         * A connection that neither sends nor receives for this long is closed (and a dump it held is freed).
         * It must exceed the time a heap dump takes to write, during which its connection is idle.
         */
        @WithDefault("30s")
        Duration idleTimeout();

        /** File holding the bearer token (a mounted Secret key). Preferred over {@link #token()}. */
        Optional<Path> tokenFile();

        /** The bearer token itself, for local runs. */
        Optional<String> token();

        /** How often the token file is read again, so a rotated Secret takes effect without a restart. */
        @WithDefault("10s")
        Duration tokenReloadInterval();

        /** Where heap dumps are written before they are streamed (and always removed). */
        Optional<Path> heapDumpDir();

        /** Disk space a heap dump must leave free on its filesystem, on top of its own size. */
        @WithDefault("67108864")
        long heapDumpReserveBytes();

        /**
         * Size limit of the volume holding the dumps (an emptyDir's sizeLimit, which the filesystem does not
         * report: the kubelet evicts the pod past it). Absent: only the filesystem's free space counts.
         */
        Optional<Long> heapDumpVolumeBytes();

        /** How often the process is sampled for the leak checks of /debug/diagnose. */
        @WithDefault("10s")
        Duration sampleInterval();

        /** How many samples are kept (bounded memory: a ring). */
        @WithDefault("60")
        int sampleCount();
    }
}
