package dev.healthcheckoperator.operator.dependent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckSpec;

/** Renders the part of a HealthCheck spec that the sidecar reads: its checks file, see {@link ChecksFile}. */
public final class SidecarConfigRenderer {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SidecarConfigRenderer() {
    }

    public static String render(HealthCheckSpec spec) {
        try {
            return MAPPER.writeValueAsString(ChecksFile.of(spec)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the sidecar configuration", e);
        }
    }

    /**
     * A digest of the rendered configuration: it names the ConfigMap (and is stamped on the pod template), so a
     * config change rolls the pods and each ReplicaSet keeps reading the file it was started with.
     */
    public static String hash(HealthCheckSpec spec) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(render(spec).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
