package dev.healthcheckoperator.operator.metrics;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * JOSDK's reconcile metrics without the per-resource series the extension collects by default: those grow with
 * every HealthCheck ever seen, these stay a fixed handful of series per controller.
 */
@Singleton
public class ReconcileMetricsProducer {

    @Produces
    @Singleton
    Metrics reconcileMetrics(MeterRegistry registry) {
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
    }
}
