package dev.healthcheckoperator.operator.dependent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckSpec;

/**
 * Renders the part of a HealthCheck spec that the sidecar reads (its checks.json). The sidecar's format uses the
 * spec's own field names, so the checks are serialized as they are.
 */
public final class SidecarConfigRenderer {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private SidecarConfigRenderer() {
    }

    public static String render(HealthCheckSpec spec) {
        // The API server fills in the spec's defaults; a value still missing is left to the sidecar's own default.
        Map<String, Object> config = new LinkedHashMap<>();
        putIfSet(config, "periodSeconds", spec.getPeriodSeconds());
        putIfSet(config, "timeoutSeconds", spec.getTimeoutSeconds());
        putIfSet(config, "failureThreshold", spec.getFailureThreshold());
        putIfSet(config, "successThreshold", spec.getSuccessThreshold());
        config.put("checks", spec.getChecks() == null ? List.of() : spec.getChecks());
        try {
            return MAPPER.writeValueAsString(config) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the sidecar configuration", e);
        }
    }

    private static void putIfSet(Map<String, Object> config, String key, Integer value) {
        if (value != null) {
            config.put(key, value);
        }
    }

    /** A digest of the rendered configuration; stamped on the pod template so a config change rolls the pods. */
    public static String hash(HealthCheckSpec spec) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(render(spec).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
