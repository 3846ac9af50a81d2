package dev.healthcheckoperator.operator.cache;

import dev.healthcheckoperator.operator.reconciler.HealthCheckReconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * The item store of the owned objects' informers (Deployments, Services, NetworkPolicies): each object without the
 * managedFields of other managers (the controller-manager's status updates, a user's kubectl), keeping this
 * operator's own entry, which the server-side apply matcher compares the desired state with. The field manager is
 * the controller's name, JOSDK's default (no other one is configured: HealthCheckReconcilerTest checks it).
 */
public class OwnFieldsItemStore<R extends HasMetadata> extends BasicItemStore<R> {

    public OwnFieldsItemStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public R put(String key, R resource) {
        ManagedFieldsPruning.keepManager(resource, HealthCheckReconciler.NAME);
        return super.put(key, resource);
    }
}
