package dev.healthcheckoperator.operator.cache;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.Map;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;

/**
 * Every fabric8 model object starts with a map of its own for the fields its class does not know
 * ({@code additionalProperties}, a {@code LinkedHashMap}), and nearly all of them stay empty: 83 per HealthCheck in
 * the informer caches, 56 bytes each plus the 16 of an entry-set view once serialized, about 5 MiB per 1,000
 * HealthChecks (BENCHMARKS.md). After the Kubernetes client parses such an object, an empty map is replaced by the
 * one shared empty map; a map with unknown fields stays as parsed.
 * <p>
 * The shared map refuses writes, and nothing writes to it: the informers hand their objects out as they are, the
 * SDK's copies (and a fabric8 {@code edit()}) are parsed by this same mapper, and what reads or writes these maps in
 * fabric8 and the SDK only reads them, except the kubeconfig parser, which has a mapper of its own. Builders copy the
 * map into one of their own. {@link GenericKubernetesResource} is left alone, since it keeps all its content in that
 * map and may be filled after parsing. An updating read (into an object parsed before) of a field its class does not
 * know would fail; neither the client nor the SDK makes one.
 */
@Singleton
public class EmptyAdditionalPropertiesDeserialization implements KubernetesClientObjectMapperCustomizer {

    /** The fabric8 model classes (core, apps, events and the other API groups); our own classes have no such map. */
    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("empty-additional-properties")
                .setDeserializerModifier(new BeanDeserializerModifier() {
                    @Override
                    public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config,
                            BeanDescription description, JsonDeserializer<?> deserializer) {
                        Accessors accessors = Accessors.of(description.getBeanClass());
                        return accessors == null ? deserializer : new SharingDeserializer(deserializer, accessors);
                    }
                }));
    }

    /** The public getter and setter of a model class's additionalProperties. */
    record Accessors(Class<?> type, Method getter, Method setter) {

        static Accessors of(Class<?> type) {
            if (!type.getName().startsWith(MODEL_PACKAGE + ".") || GenericKubernetesResource.class.isAssignableFrom(type)
                    || Modifier.isAbstract(type.getModifiers())) {
                return null;
            }
            try {
                Method getter = type.getMethod("getAdditionalProperties");
                Method setter = type.getMethod("setAdditionalProperties", Map.class);
                return Map.class.equals(getter.getReturnType()) ? new Accessors(type, getter, setter) : null;
            } catch (NoSuchMethodException e) {
                return null;
            }
        }

        void shareIfEmpty(Object bean) {
            try {
                Map<?, ?> properties = (Map<?, ?>) getter.invoke(bean);
                if (properties != null && properties.isEmpty() && properties != Collections.emptyMap()) {
                    setter.invoke(bean, Collections.emptyMap());
                }
            } catch (ReflectiveOperationException e) {
                // Public accessors of a public class: not expected. The object then keeps its own empty map.
            }
        }
    }

    /** The class's own deserializer, then the empty map swapped for the shared one. */
    static final class SharingDeserializer extends DelegatingDeserializer {

        private final Accessors accessors;

        SharingDeserializer(JsonDeserializer<?> delegate, Accessors accessors) {
            super(delegate);
            this.accessors = accessors;
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
            return new SharingDeserializer(newDelegatee, accessors);
        }

        @Override
        public Object deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            Object bean = _delegatee.deserialize(parser, context);
            if (accessors.type().isInstance(bean)) {
                accessors.shareIfEmpty(bean);
            }
            return bean;
        }
    }
}
