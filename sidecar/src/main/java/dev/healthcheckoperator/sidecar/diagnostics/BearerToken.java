package dev.healthcheckoperator.sidecar.diagnostics;

import io.quarkus.logging.Log;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;

/**
 * The diagnostics bearer token, from a mounted Secret key (read again periodically, so a rotated Secret takes
 * effect without a restart) or from a fixed value for local runs.
 */
final class BearerToken {

    static final int MIN_LENGTH = 16;
    /** A token file is a few dozen bytes; a larger file is a mistake, not a token to hold in memory. */
    static final int MAX_FILE_BYTES = 4096;

    private final Optional<Path> file;
    private volatile byte[] current;

    private BearerToken(Optional<Path> file, byte[] initial) {
        this.file = file;
        this.current = initial;
    }

    /** Fails (the sidecar does not start) when no valid token is configured. */
    static BearerToken load(Optional<Path> file, Optional<String> fixed) throws IOException {
        String value;
        if (file.isPresent()) {
            if (!Files.isReadable(file.get())) {
                throw new IllegalStateException("sidecar.diagnostics.token-file: cannot read " + file.get());
            }
            value = read(file.get());
        } else {
            value = fixed.orElse("").trim();
        }
        if (!valid(value)) {
            throw new IllegalStateException("diagnostics are enabled but no bearer token of at least " + MIN_LENGTH
                    + " characters is set: give sidecar.diagnostics.token-file (SIDECAR_DIAGNOSTICS_TOKEN_FILE) or "
                    + "sidecar.diagnostics.token (SIDECAR_DIAGNOSTICS_TOKEN)");
        }
        return new BearerToken(file, value.getBytes(StandardCharsets.UTF_8));
    }

    boolean reloadable() {
        return file.isPresent();
    }

    /**
     * Blocking: reads the file again. A file that cannot be read or holds no valid token keeps the previous
     * token (a Secret update is an atomic symlink swap, so a half-written file is not expected; a broken one
     * must not lock the operator out of a running sidecar).
     */
    void reload() {
        if (file.isEmpty()) {
            return;
        }
        String value;
        try {
            value = read(file.get());
        } catch (IOException e) {
            Log.warnf("cannot read %s again (%s); the diagnostics token stays as it was", file.get(), e.getMessage());
            return;
        }
        if (!valid(value)) {
            Log.warnf("%s no longer holds a token of at least %d characters; the diagnostics token stays as it was",
                    file.get(), MIN_LENGTH);
            return;
        }
        byte[] next = value.getBytes(StandardCharsets.UTF_8);
        if (!Arrays.equals(next, current)) {
            current = next;
            Log.info("diagnostics token changed: the new one is in force");
        }
    }

    /** Constant-time comparison: response timing must not reveal how much of a guess was right. */
    boolean matches(byte[] presented) {
        return MessageDigest.isEqual(presented, current);
    }

    private static boolean valid(String value) {
        return value.length() >= MIN_LENGTH;
    }

    private static String read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new IOException(path + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8).trim();
        }
    }
}
