package dev.healthcheckoperator.operator.statuspage;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The status page at / and /api/v1/healthchecks (HEALTHCHECK_STATUS_PAGE_... in the environment). */
@ConfigMapping(prefix = "healthcheck.status-page")
public interface StatusPageConfig {

    /**
     * Who may read without a bearer token. deny (the default): nobody, every request needs a token that the API
     * server accepts. loopback: requests from 127.0.0.0/8 or ::1 too; in a pod those come through `kubectl
     * port-forward`, which itself needs the pods/portforward right in the operator's namespace. all: anyone who
     * reaches the port sees every HealthCheck (a trusted network only).
     */
    @WithDefault("deny")
    AnonymousAccess anonymous();

    /** Items per page when the request does not say (limit). */
    @WithDefault("100")
    int defaultPageSize();

    /** The largest limit a request may ask for: bounds the work and the size of one answer. */
    @WithDefault("500")
    int maxPageSize();

    /**
     * The whole of a request's TokenReview and SubjectAccessReviews: at the deadline the calls are cancelled and the
     * request answers 503, never a partial list.
     */
    @WithDefault("3s")
    Duration authTimeout();

    /** How long a TokenReview or SubjectAccessReview verdict is reused: RBAC changes show within this time. */
    @WithDefault("10s")
    Duration verdictTtl();

    /** Verdicts kept at most (tokens and subject/namespace pairs); the oldest go first. */
    @WithDefault("10000")
    int verdictCacheSize();

    /** SubjectAccessReviews of one request in flight at once. */
    @WithDefault("8")
    int reviewConcurrency();

    enum AnonymousAccess {
        DENY,
        LOOPBACK,
        ALL
    }
}
