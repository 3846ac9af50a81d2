package dev.healthcheckoperator.operator.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** Settings of the operator itself (not of a HealthCheck); environment variables use the HEALTHCHECK_ prefix. */
@ConfigMapping(prefix = "healthcheck")
public interface OperatorConfig {

    Sidecar sidecar();

    Poll poll();

    LeaderElection leaderElection();

    Events events();

    Rollout rollout();

    /**
     * Rollouts of sidecar Deployments whose pod template changes although their HealthCheck's spec did not: a new
     * default sidecar image, a new checks-file format or new defaults of an operator upgrade. They are spread out
     * so that an upgrade never restarts every sidecar pod of a fleet at once; a change of a HealthCheck's spec rolls
     * its sidecars at once.
     */
    interface Rollout {

        /** Such rollouts started per minute, for all HealthChecks of this operator together; at least 1. */
        @WithDefault("50")
        int maxPerMinute();
    }

    /**
     * How soon a HealthCheck stuck on something the operator is not told about is looked at again: an object of
     * someone else's that holds one of its names (its deletion is not watched), or an API error that outlasted the
     * retries (a quota raised, an admission policy changed).
     */
    @WithDefault("60s")
    Duration recheckInterval();

    /**
     * How long a status write that the API server refused with a conflict or as invalid (422, which an admission
     * policy's denial also is) waits for the informer to bring a newer HealthCheck before the reconciliation fails
     * and is retried: JOSDK's cache-then-retry scheme, whose wait is otherwise a fixed 10 s. A denial by policy
     * never brings a newer object, so the whole wait is spent for nothing; a conflict is usually resolved within
     * one watch event.
     */
    @WithDefault("10s")
    Duration statusCacheWait();

    /**
     * Bounds on the Events written, so a flapping check or an upstream shared by thousands of HealthChecks cannot
     * flood the API server (the same scheme as client-go's per-object spam filter, plus a bound for all objects).
     */
    interface Events {

        /** Events one HealthCheck may write in a burst. */
        @WithDefault("25")
        int burst();

        /** After a burst, one more Event per HealthCheck per this interval. */
        @WithDefault("5m")
        Duration refillInterval();

        /** Events all HealthChecks together may write in a burst. */
        @WithDefault("100")
        int globalBurst();

        /** After a burst, this many Events per second for all HealthChecks together. */
        @WithDefault("5")
        double globalPerSecond();

        /**
         * The same Event again (same object, type, reason, action and note) within this time after the last one
         * counts into that Event's series instead of making a new one.
         */
        @WithDefault("30m")
        Duration seriesWindow();

        /** HealthChecks whose Event history is kept; the least recently active are forgotten first. */
        @WithDefault("20000")
        int trackedObjects();
    }

    interface LeaderElection {

        /**
         * A replica that lost its Lease exits, so that its pod restarts as a clean standby rather than keep working
         * next to the new leader. Off only where the operator shares its process with other things, as in tests.
         */
        @WithDefault("true")
        boolean exitOnStopLeading();

        /**
         * Namespace of the Lease. In a pod it is the pod's namespace; outside a cluster (make run) nothing can be
         * inferred unless the kubeconfig's context names a namespace, so this names it.
         */
        Optional<String> leaseNamespace();

        /**
         * How long a Lease stays the holder's without a renewal: after the leader dies, a standby takes over this
         * long after the last renewal. Must exceed renewDeadline.
         */
        @WithDefault("15s")
        Duration leaseDuration();

        /** The leader keeps renewing (every retryPeriod) for this long before it gives the Lease up. */
        @WithDefault("10s")
        Duration renewDeadline();

        /** How often a standby tries to take the Lease, and the leader to renew it. */
        @WithDefault("2s")
        Duration retryPeriod();
    }

    interface Sidecar {

        /**
         * Image used when a HealthCheck leaves spec.image empty. It carries the operator's own version so an operator
         * upgrade rolls the sidecars to the matching release; never a moving tag such as latest.
         */
        @WithDefault("healthcheck-operator/healthcheck-sidecar:${quarkus.application.version}")
        String image();

        @WithDefault("IfNotPresent")
        String imagePullPolicy();

        /**
         * Secrets (names, comma-separated) the sidecar pods pull their image with: the imagePullSecrets of every
         * sidecar pod, so each must exist in the namespace of each HealthCheck (the kubelet reads them there; the
         * operator needs no right on them). Empty: none, the node's own credentials.
         */
        Optional<List<@WithConverter(SecretNameConverter.class) String>> imagePullSecrets();
    }

    interface Poll {

        /** How often each ready HealthCheck's /health is read (each HealthCheck on its own schedule, +-10%). */
        @WithDefault("15s")
        Duration interval();

        /**
         * Requests in flight at once, three times over: for the sidecars that answered their last poll, for those
         * that did not, and for new ones, so unreachable sidecars waiting out their timeouts never hold up the
         * reachable ones (a poll without an answer after a quarter of the timeout moves over to the failing ones).
         * Bounds the load on the operator and, in proxy mode, on the API server.
         */
        @WithDefault("8")
        int concurrency();

        /**
         * The whole of one poll: connect, headers and body. At the deadline the request is cancelled and the poll
         * counts as failed, so a sidecar that stalls or trickles costs one poll slot for this long.
         */
        @WithDefault("3s")
        Duration timeout();

        /**
         * Consecutive failed polls (unreachable, timed out, no health report) before the health turns Unknown with
         * reason SidecarUnreachable; until then the last answer stands, so one lost poll does not flip the health.
         */
        @WithDefault("3")
        int failureThreshold();

        /**
         * Longest wait between polls of a sidecar that stays unreachable: after the failure threshold the interval
         * doubles on every further failure, up to this.
         */
        @WithDefault("2m")
        Duration maxBackoff();

        /**
         * The poller counts as stuck (the operator's liveness and readiness checks report DOWN) when a poll is
         * overdue and no poll at all has completed for this long.
         */
        @WithDefault("2m")
        Duration stuckAfter();

        /** How the operator reaches the sidecars; auto picks service-dns in a pod and api-server-proxy elsewhere. */
        @WithDefault("auto")
        PollMode mode();

        /**
         * URL used in direct mode, with {namespace}, {name}, {service} and {port} filled in from the HealthCheck. For
         * sidecars reachable at a known address, e.g. a sidecar started on this machine in tests.
         */
        @WithDefault("http://127.0.0.1:{port}/health")
        String directUrlTemplate();
    }

    enum PollMode {
        /** service-dns inside a pod, api-server-proxy otherwise. */
        AUTO,
        /** GET http://{service}.{namespace}.svc:{port}/health: needs the operator to run in the cluster. */
        SERVICE_DNS,
        /** GET through the API server's service proxy: works from outside the cluster, costs API-server requests. */
        API_SERVER_PROXY,
        /** GET the URL of direct-url-template. */
        DIRECT
    }
}
