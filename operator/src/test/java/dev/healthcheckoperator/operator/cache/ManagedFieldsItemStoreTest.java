package dev.healthcheckoperator.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.reconciler.HealthCheckReconciler;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

class ManagedFieldsItemStoreTest {

    private static ManagedFieldsEntry entry(String manager, String operation) {
        FieldsV1 fields = new FieldsV1();
        fields.setAdditionalProperty("f:spec", Map.of("f:replicas", Map.of()));
        return new ManagedFieldsEntryBuilder().withManager(manager).withOperation(operation)
                .withApiVersion("apps/v1").withFieldsType("FieldsV1").withFieldsV1(fields).build();
    }

    private static Deployment deployment(List<ManagedFieldsEntry> managedFields) {
        return new DeploymentBuilder().withNewMetadata().withName("a-healthcheck").withNamespace("shop")
                .withManagedFields(managedFields).endMetadata().build();
    }

    @Test
    void ownedObjectsKeepOnlyTheOperatorsOwnEntries() {
        ManagedFieldsEntry own = entry(HealthCheckReconciler.NAME, "Apply");
        OwnFieldsItemStore<Deployment> store = new OwnFieldsItemStore<>();
        Deployment stored = deployment(List.of(entry("kube-controller-manager", "Update"), own,
                entry("kubectl-edit", "Update")));

        store.put("shop/a-healthcheck", stored);

        assertEquals(List.of(own), store.get("shop/a-healthcheck").getMetadata().getManagedFields());
    }

    @Test
    void anOwnedObjectWithoutTheOperatorsEntryKeepsNone() {
        OwnFieldsItemStore<Deployment> store = new OwnFieldsItemStore<>();
        // Someone else's object with the same name, or one written before the operator's first apply.
        store.put("shop/a-healthcheck", deployment(List.of(entry("kubectl-client-side-apply", "Update"))));
        assertNull(store.get("shop/a-healthcheck").getMetadata().getManagedFields());
    }

    @Test
    void anObjectWithOnlyTheOperatorsEntriesKeepsThemAll() {
        List<ManagedFieldsEntry> entries = List.of(entry(HealthCheckReconciler.NAME, "Apply"),
                entry(HealthCheckReconciler.NAME, "Update"));
        OwnFieldsItemStore<Deployment> store = new OwnFieldsItemStore<>();
        store.put("shop/a-healthcheck", deployment(entries));
        assertEquals(entries, store.get("shop/a-healthcheck").getMetadata().getManagedFields());
    }

    @Test
    void healthChecksKeepNoEntries() {
        NoManagedFieldsItemStore<HealthCheck> store = new NoManagedFieldsItemStore<>();
        HealthCheck healthCheck = new HealthCheck();
        healthCheck.setMetadata(new ObjectMetaBuilder().withName("checkout").withNamespace("shop")
                .withManagedFields(entry("kubectl-client-side-apply", "Update"), entry(HealthCheckReconciler.NAME, "Apply"))
                .build());
        store.put("shop/checkout", healthCheck);
        assertNull(store.get("shop/checkout").getMetadata().getManagedFields());
        assertEquals(List.of("shop/checkout"), store.keySet().toList());
    }
}
