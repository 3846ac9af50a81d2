package dev.healthcheckoperator.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Equal short strings come out as one instance; the others pass through. That the informers' objects share them is
 * shown against the API server (HealthCheckReconcilerTest).
 */
class SharedStringsTest {

    @Test
    void equalShortStringsAreOneInstanceAndOthersPassThrough() {
        SharedStrings strings = new SharedStrings();
        String first = strings.share(new String("healthcheck-sidecar"));
        assertSame(first, strings.share(new String("healthcheck-sidecar")));
        assertNull(strings.share(null));

        String tooLong = "x".repeat(SharedStrings.MAX_LENGTH + 1);
        strings.share(tooLong);
        String again = new String(tooLong);
        assertSame(again, strings.share(again), "a long value is not remembered");
    }

    @Test
    void aValueThatLostItsSlotWinsItBackOnItsNextRead() {
        SharedStrings strings = new SharedStrings();
        strings.share(new String("app.kubernetes.io/managed-by"));
        // Unique values (names, UIDs) pass through the slots, some replacing the hot value's.
        for (int i = 0; i < 100_000; i++) {
            strings.share("uid-" + i);
        }
        String after = strings.share(new String("app.kubernetes.io/managed-by"));
        assertSame(after, strings.share(new String("app.kubernetes.io/managed-by")));
    }

    @Test
    void everyStringTheClientParsesIsShared() {
        ObjectMapper mapper = new ObjectMapper();
        new SharedStringsDeserialization().customize(mapper);
        // As the Quarkus producer builds the Kubernetes client's serialization from the customized mapper.
        KubernetesSerialization serialization = new KubernetesSerialization(mapper, true);
        String json = """
                {"apiVersion": "apps/v1", "kind": "Deployment",
                 "metadata": {"name": "%s", "labels": {"app.kubernetes.io/name": "healthcheck-sidecar"}},
                 "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "registry/sidecar:1",
                   "args": ["--port", "8080"]}]}}}}""";
        Deployment a = serialization.unmarshal(json.formatted("a-healthcheck"), Deployment.class);
        Deployment b = serialization.unmarshal(json.formatted("b-healthcheck"), Deployment.class);

        assertSame(a.getApiVersion(), b.getApiVersion());
        assertSame(labelValue(a), labelValue(b), "a map's values");
        var containerA = a.getSpec().getTemplate().getSpec().getContainers().get(0);
        var containerB = b.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertSame(containerA.getImage(), containerB.getImage());
        assertSame(containerA.getArgs().get(1), containerB.getArgs().get(1), "a list's elements");
        assertEquals(List.of("--port", "8080"), containerB.getArgs());
        assertNotSame(a.getMetadata().getName(), b.getMetadata().getName());
        assertEquals("b-healthcheck", b.getMetadata().getName());
    }

    private static String labelValue(Deployment deployment) {
        Map<String, String> labels = deployment.getMetadata().getLabels();
        return labels.get("app.kubernetes.io/name");
    }
}
