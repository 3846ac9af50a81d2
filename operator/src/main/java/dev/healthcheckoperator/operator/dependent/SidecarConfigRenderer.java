package dev.healthcheckoperator.operator.dependent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckSpec;

/** Renders the part of a HealthCheck spec that the sidecar reads: its checks file, see {@link ChecksFile}. */
public final class SidecarConfigRenderer {

    /** Compact: the file travels in a pod annotation, whose size counts against the pod's 256 KiB of them. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SidecarConfigRenderer() {
    }

    public static String render(HealthCheckSpec spec) {
        try {
            return MAPPER.writeValueAsString(ChecksFile.of(spec));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the sidecar configuration", e);
        }
    }

    /**
     * A digest of the rendered configuration, stamped on the pod template beside the file itself: a short name for
     * "which checks file do these pods run" in kubectl's output.
     */
    public static String hash(HealthCheckSpec spec) {
        return hash(render(spec));
    }

    /** The digest of a checks file {@link #render} made. */
    public static String hash(String checksFile) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(checksFile.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
