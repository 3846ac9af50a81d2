package dev.healthcheckoperator.operator.cache;

import java.util.List;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * What the informer caches drop of {@code metadata.managedFields} before an object is stored: on a Deployment
 * the field sets of every manager together are about as large as the object, and with thousands of HealthChecks
 * they were a large part of the operator's heap (BENCHMARKS.md, "The operator at scale"). Only the server-side
 * apply matcher of the owned objects reads managedFields, and only the entry of this operator's own field manager.
 * <p>
 * Dropping them from the cached copy changes nothing on the server: the operator writes owned objects by
 * server-side apply (no managedFields sent) and HealthChecks only through their status subresource, and a
 * request that carries no managedFields leaves the server's tracking as it is.
 */
final class ManagedFieldsPruning {

    private ManagedFieldsPruning() {
    }

    /** Keeps the entries of this field manager only (none, if it has none). */
    static void keepManager(HasMetadata resource, String fieldManager) {
        ObjectMeta metadata = resource.getMetadata();
        List<ManagedFieldsEntry> entries = metadata == null ? null : metadata.getManagedFields();
        if (entries == null || entries.isEmpty()) {
            return;
        }
        List<ManagedFieldsEntry> own = entries.stream().filter(e -> fieldManager.equals(e.getManager())).toList();
        if (own.size() != entries.size()) {
            metadata.setManagedFields(own.isEmpty() ? null : own);
        }
    }

    /** Drops every entry. */
    static void dropAll(HasMetadata resource) {
        if (resource.getMetadata() != null) {
            resource.getMetadata().setManagedFields(null);
        }
    }
}
