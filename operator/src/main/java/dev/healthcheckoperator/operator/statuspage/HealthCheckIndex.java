package dev.healthcheckoperator.operator.statuspage;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;

/**
 * The operator's own informer cache of HealthCheck, handed over by the reconciler when its event sources are
 * prepared: the status page reads it and never asks the API server. A standby replica has the same cache, so
 * either replica can serve the page.
 */
@ApplicationScoped
public class HealthCheckIndex {

    private volatile IndexerResourceCache<HealthCheck> cache;

    public void observe(IndexerResourceCache<HealthCheck> cache) {
        this.cache = cache;
    }

    /** Empty until the controller has prepared its informer: nothing has been read, so nothing can be listed. */
    public Optional<IndexerResourceCache<HealthCheck>> cache() {
        return Optional.ofNullable(cache);
    }
}
