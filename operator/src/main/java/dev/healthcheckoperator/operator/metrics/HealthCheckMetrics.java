package dev.healthcheckoperator.operator.metrics;

import jakarta.enterprise.context.ApplicationScoped;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * healthcheck_operator_healthchecks{health=...}: HealthChecks by the health in their status. Counted from the
 * informer cache at scrape time, so deleted resources drop out by themselves and a standby replica reports the
 * same figures as the leader. healthcheck_operator_reconcile_errors_total counts failed reconciliations.
 */
@ApplicationScoped
public class HealthCheckMetrics {

    public static final String GAUGE_NAME = "healthcheck.operator.healthchecks";
    public static final String RECONCILE_ERRORS = "healthcheck.operator.reconcile.errors";

    /** Registered up front, unlike JOSDK's failure counter (created at the first failure): a rate is 0, not absent. */
    private final Counter reconcileErrors;

    private volatile IndexerResourceCache<HealthCheck> cache;

    public HealthCheckMetrics(MeterRegistry registry) {
        for (Health health : Health.values()) {
            Gauge.builder(GAUGE_NAME, () -> count(health))
                    .description("HealthChecks by health state")
                    .tag("health", health.name())
                    .register(registry);
        }
        reconcileErrors = Counter.builder(RECONCILE_ERRORS)
                .description("Failed reconciliations of HealthChecks, retries included (Ready=False, ReconcileError)")
                .register(registry);
    }

    public void reconcileFailed() {
        reconcileErrors.increment();
    }

    public void observe(IndexerResourceCache<HealthCheck> cache) {
        this.cache = cache;
    }

    long count(Health health) {
        IndexerResourceCache<HealthCheck> current = cache;
        if (current == null) {
            return 0;
        }
        return current.list().filter(hc -> healthOf(hc) == health).count();
    }

    private static Health healthOf(HealthCheck healthCheck) {
        if (healthCheck.getStatus() == null || healthCheck.getStatus().getHealth() == null) {
            return Health.Unknown;
        }
        return healthCheck.getStatus().getHealth();
    }
}
