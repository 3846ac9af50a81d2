package dev.healthcheckoperator.operator.cache;

import java.util.Set;

import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;

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

    /**
     * Whether an item store given to an informer configuration is filled by one informer alone. The SDK hands one
     * item store to the informers of all watched namespaces, and each informer's re-list removes from it what its
     * own namespace lacks: another namespace's objects. So a store of our own is set only when all namespaces or
     * exactly one are watched; otherwise the informers keep the SDK's own stores, one each.
     */
    public static boolean oneInformerFillsTheStore(Set<String> watchedNamespaces) {
        return InformerConfiguration.allNamespacesWatched(watchedNamespaces) || watchedNamespaces.size() == 1;
    }
}
