package dev.healthcheckoperator.operator.cache;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * The item store of the HealthCheck informer: HealthChecks without managedFields. The operator writes a HealthCheck
 * only by a server-side apply of its status, which needs no field set on the client.
 */
public class NoManagedFieldsItemStore<R extends HasMetadata> extends BasicItemStore<R> {

    public NoManagedFieldsItemStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public R put(String key, R resource) {
        ManagedFieldsPruning.dropAll(resource);
        return super.put(key, resource);
    }
}
