package dev.healthcheckoperator.operator.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Parsed model objects share one empty map for the fields their classes do not know; fields the model does not know
 * are kept, and so is everything a {@link GenericKubernetesResource} holds. That the operator's client parses this
 * way is shown against the API server (HealthCheckReconcilerTest).
 */
class EmptyAdditionalPropertiesDeserializationTest {

    static final String DEPLOYMENT = """
            {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": "checkout-healthcheck", "labels": {"app.kubernetes.io/name": "healthcheck-sidecar"}},
             "spec": {"replicas": 1, %s
               "template": {"spec": {"containers": [{"name": "sidecar", "image": "registry/sidecar:1",
                 "readinessProbe": {"httpGet": {"path": "/health/ready", "port": 8080}}}]}}}}""";

    final KubernetesSerialization serialization = serialization(true);

    @Test
    void emptyMapsAreTheSharedOne() {
        Deployment deployment = serialization.unmarshal(DEPLOYMENT.formatted(""), Deployment.class);

        Container sidecar = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        for (Map<String, Object> properties : List.of(deployment.getAdditionalProperties(),
                deployment.getMetadata().getAdditionalProperties(), deployment.getSpec().getAdditionalProperties(),
                sidecar.getAdditionalProperties(), sidecar.getReadinessProbe().getHttpGet().getAdditionalProperties())) {
            assertSame(Collections.emptyMap(), properties);
        }
        assertEquals("/health/ready", sidecar.getReadinessProbe().getHttpGet().getPath());
    }

    @Test
    void fieldsTheModelDoesNotKnowAreKeptAndStayWritable() {
        Deployment deployment = serialization.unmarshal(DEPLOYMENT.formatted("\"futureField\": {\"on\": true},"),
                Deployment.class);

        Map<String, Object> unknown = deployment.getSpec().getAdditionalProperties();
        assertEquals(Map.of("on", true), unknown.get("futureField"));
        unknown.put("another", 1);
        assertSame(Collections.emptyMap(), deployment.getMetadata().getAdditionalProperties());
    }

    @Test
    void aGenericResourceKeepsAMapOfItsOwn() {
        GenericKubernetesResource generic = serialization.unmarshal("""
                {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}""",
                GenericKubernetesResource.class);

        assertNotSame(Collections.emptyMap(), generic.getAdditionalProperties());
        generic.setAdditionalProperty("spec", Map.of("size", 3));
        assertEquals(Map.of("size", 3), generic.get("spec"));
    }

    @Test
    void whatIsParsedSerializesAsWithoutIt() {
        for (String extra : new String[] { "", "\"futureField\": {\"on\": true}," }) {
            String json = DEPLOYMENT.formatted(extra);
            KubernetesSerialization plain = serialization(false);
            assertEquals(plain.asJson(plain.unmarshal(json, Deployment.class)),
                    serialization.asJson(serialization.unmarshal(json, Deployment.class)));
        }
    }

    /** As the Quarkus producer builds the Kubernetes client's serialization from the customized mapper. */
    private static KubernetesSerialization serialization(boolean customized) {
        ObjectMapper mapper = new ObjectMapper();
        if (customized) {
            new EmptyAdditionalPropertiesDeserialization().customize(mapper);
        }
        return new KubernetesSerialization(mapper, true);
    }
}
