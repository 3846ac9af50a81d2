package dev.healthcheckoperator.operator.cache;

/** Settings shared by every informer of the operator. */
public final class CacheSettings {

    /**
     * Objects per page of an informer's initial LIST (and of a re-LIST after a watch expired). Unpaged, a start at
     * 10,000 HealthChecks reads every HealthCheck, Deployment, Service and Pod in one response each, and the whole
     * response is held in memory while the informer fills its cache: a peak on top of the cache itself.
     */
    public static final long LIST_PAGE_SIZE = 500;

    private CacheSettings() {
    }
}
