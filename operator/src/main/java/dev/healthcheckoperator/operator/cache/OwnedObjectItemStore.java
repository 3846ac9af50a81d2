package dev.healthcheckoperator.operator.cache;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * The item store of an informer of objects the operator applies (the sidecar Deployments, Services and
 * NetworkPolicies): each object keeps its managedFields entry of the operator's own server-side apply, the one the
 * SDK's matcher compares the desired state against, and drops the others (the controller-manager's of a
 * Deployment's status, a {@code kubectl edit}'s), which nothing in the operator reads; the field set that stays is
 * held as a {@link CompactFieldSet}. Everything else of the object stays as served: the matcher, the drift repair
 * and Ready read the spec and the status. The same object goes on to the event handlers.
 */
public class OwnedObjectItemStore<R extends HasMetadata> extends BasicItemStore<R> {

    /** What the SDK's matcher looks for (SSABasedGenericKubernetesResourceMatcher.APPLY_OPERATION). */
    static final String APPLY_OPERATION = "Apply";

    private final String fieldManager;

    public OwnedObjectItemStore(String fieldManager) {
        super(Cache::metaNamespaceKeyFunc);
        this.fieldManager = fieldManager;
    }

    @Override
    public R put(String key, R object) {
        keepOwnApply(object);
        return super.put(key, object);
    }

    void keepOwnApply(R object) {
        List<ManagedFieldsEntry> entries = object.getMetadata().getManagedFields();
        if (entries == null || entries.isEmpty()) {
            return;
        }
        object.getMetadata().setManagedFields(entries.stream()
                .filter(e -> fieldManager.equals(e.getManager()) && APPLY_OPERATION.equals(e.getOperation()))
                .map(OwnedObjectItemStore::compacted)
                .toList());
    }

    @SuppressWarnings("unchecked")
    private static ManagedFieldsEntry compacted(ManagedFieldsEntry entry) {
        ManagedFieldsEntry kept = new ManagedFieldsEntry(intern(entry.getApiVersion()), intern(entry.getFieldsType()),
                null, intern(entry.getManager()), intern(entry.getOperation()), intern(entry.getSubresource()),
                entry.getTime());
        // As every parsed model object's (EmptyAdditionalPropertiesDeserialization).
        kept.setAdditionalProperties(Collections.emptyMap());
        if (entry.getFieldsV1() != null) {
            FieldsV1 fields = new FieldsV1();
            fields.setAdditionalProperties(
                    (Map<String, Object>) CompactFieldSet.compact(entry.getFieldsV1().getAdditionalProperties()));
            kept.setFieldsV1(fields);
        }
        return kept;
    }

    private static String intern(String value) {
        return value == null ? null : value.intern();
    }
}
