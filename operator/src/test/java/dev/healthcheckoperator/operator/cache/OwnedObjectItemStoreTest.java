package dev.healthcheckoperator.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

class OwnedObjectItemStoreTest {

    private static final String OPERATOR = "healthcheckreconciler";

    /**
     * Field sets as an API server writes them for a sidecar Deployment: the operator's apply (list items by key,
     * the "." of a set that has members, empty leaves), the controller-manager's status and revision, a kubectl
     * edit, and an apply by another manager.
     */
    private static final String SERVED = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"checkout-healthcheck","namespace":"shop",
             "resourceVersion":"7","managedFields":[
              {"manager":"healthcheckreconciler","operation":"Apply","apiVersion":"apps/v1",
               "time":"2026-12-03T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{
                "f:metadata":{"f:labels":{"f:app.kubernetes.io/instance":{},"f:app.kubernetes.io/managed-by":{}},
                  "f:ownerReferences":{"k:{\\"uid\\":\\"1ef74cb4\\"}":{}}},
                "f:spec":{"f:replicas":{},"f:revisionHistoryLimit":{},"f:template":{"f:spec":{
                  "f:containers":{"k:{\\"name\\":\\"sidecar\\"}":{".":{},"f:image":{},"f:name":{},
                    "f:ports":{"k:{\\"containerPort\\":8080,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}}}},
                  "f:enableServiceLinks":{}}}}}},
              {"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1","subresource":"status",
               "time":"2026-12-03T10:00:01Z","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:replicas":{}}}},
              {"manager":"kubectl-edit","operation":"Update","apiVersion":"apps/v1",
               "time":"2026-12-03T10:05:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:paused":{}}}},
              {"manager":"someone-else","operation":"Apply","apiVersion":"apps/v1",
               "time":"2026-12-03T10:06:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:minReadySeconds":{}}}}
             ]},"spec":{"replicas":1,"revisionHistoryLimit":2}}
            """;

    private static Deployment served() {
        return Serialization.unmarshal(SERVED, Deployment.class);
    }

    private static Deployment stored(Deployment deployment) {
        OwnedObjectItemStore<Deployment> store = new OwnedObjectItemStore<>(OPERATOR);
        store.put("shop/checkout-healthcheck", deployment);
        return store.get("shop/checkout-healthcheck");
    }

    @Test
    void onlyTheOperatorsOwnApplyStaysAndItsFieldSetIsTheServedOne() {
        ManagedFieldsEntry own = served().getMetadata().getManagedFields().get(0);
        List<ManagedFieldsEntry> kept = stored(served()).getMetadata().getManagedFields();
        assertEquals(1, kept.size(), String.valueOf(kept));
        ManagedFieldsEntry entry = kept.get(0);
        assertEquals(OPERATOR, entry.getManager());
        assertEquals("Apply", entry.getOperation());
        assertEquals("apps/v1", entry.getApiVersion());
        assertEquals("FieldsV1", entry.getFieldsType());
        assertEquals("2026-12-03T10:00:00Z", entry.getTime());
        assertNull(entry.getSubresource());
        assertTrue(entry.getFieldsV1().getAdditionalProperties() instanceof CompactFieldSet);
        assertEquals(own.getFieldsV1().getAdditionalProperties(), entry.getFieldsV1().getAdditionalProperties());
        // Written out, the same document in the same order: what the SDK's matcher and a debug log read.
        assertEquals(Serialization.asJson(own), Serialization.asJson(entry));
        // The rest of the object is untouched.
        assertEquals(Serialization.asJson(served().getSpec()), Serialization.asJson(stored(served()).getSpec()));
    }

    @Test
    void anObjectTheOperatorNeverAppliedKeepsNoEntryAndOneWithoutManagedFieldsIsStoredAsItIs() {
        Deployment foreign = served();
        foreign.getMetadata().setManagedFields(new ArrayList<>(foreign.getMetadata().getManagedFields().subList(1, 4)));
        assertTrue(stored(foreign).getMetadata().getManagedFields().isEmpty());

        Deployment bare = new DeploymentBuilder().withNewMetadata().withName("checkout-healthcheck")
                .withNamespace("shop").endMetadata().build();
        assertEquals(Serialization.asJson(bare), Serialization.asJson(stored(Serialization.clone(bare))));
    }

    @Test
    void leavesAreOneSharedEmptyMapAndKeysAreSharedAcrossObjects() {
        Map<String, Object> first = fieldSet(stored(served()));
        Map<String, Object> second = fieldSet(stored(served()));
        assertSame(keyNamed(first, "f:spec"), keyNamed(second, "f:spec"));
        Map<?, ?> spec = (Map<?, ?>) first.get("f:spec");
        assertSame(Map.of(), spec.get("f:replicas"));
        assertSame(spec.get("f:replicas"), ((Map<?, ?>) second.get("f:spec")).get("f:revisionHistoryLimit"));
        assertTrue(spec.containsKey("f:template"));
        assertFalse(spec.containsKey("f:paused"));
        assertNull(spec.get("f:paused"));
    }

    @Test
    void aStoredFieldSetCannotBeChanged() {
        Map<String, Object> fields = fieldSet(stored(served()));
        assertThrows(UnsupportedOperationException.class, () -> fields.put("f:status", Map.of()));
        assertThrows(UnsupportedOperationException.class, () -> fields.remove("f:spec"));
        Iterator<Map.Entry<String, Object>> entries = fields.entrySet().iterator();
        Map.Entry<String, Object> entry = entries.next();
        assertThrows(UnsupportedOperationException.class, () -> entry.setValue(Map.of()));
        assertThrows(UnsupportedOperationException.class, entries::remove);
        assertEquals(2, fields.size());
    }

    @Test
    void valuesThatAreNotMapsPassThrough() {
        assertEquals("v", CompactFieldSet.compact("v"));
        assertNull(CompactFieldSet.compact(null));
        assertSame(Map.of(), CompactFieldSet.compact(Map.of()));
    }

    private static Map<String, Object> fieldSet(Deployment deployment) {
        return deployment.getMetadata().getManagedFields().get(0).getFieldsV1().getAdditionalProperties();
    }

    private static String keyNamed(Map<String, Object> fields, String name) {
        return fields.keySet().stream().filter(name::equals).findFirst().orElseThrow();
    }
}
