package dev.healthcheckoperator.operator.cache;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;

/**
 * Every string field the Kubernetes client reads (and so every object the informers cache) goes through
 * {@link SharedStrings}: at 1,000 HealthChecks the caches held about 264,000 strings, most of them copies of a few
 * hundred values. Done where the client parses, since the informers store what it parsed as it is. Every other
 * parse of the client goes through it too (API responses, the SDK's copies and its matcher's maps), and Jackson
 * reads untyped maps without its shortcut once a String deserializer of one's own is set: at 1,000 HealthChecks the
 * operator's CPU from the first create to all Ready stayed within the spread of the runs without it (BENCHMARKS.md).
 */
@Singleton
public class SharedStringsDeserialization implements KubernetesClientObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("shared-strings")
                .addDeserializer(String.class, new SharedStringDeserializer(new SharedStrings())));
    }

    /**
     * Jackson's own String deserializer (all its coercions), its result shared. Not marked as Jackson's standard
     * one, so collections and maps of strings use it too instead of their shortcut.
     */
    static final class SharedStringDeserializer extends StringDeserializer {

        private final SharedStrings strings;

        SharedStringDeserializer(SharedStrings strings) {
            this.strings = strings;
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return strings.share(super.deserialize(parser, context));
        }
    }
}
