package dev.healthcheckoperator.sidecar.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Checks files for Quarkus test profiles. */
public final class ChecksFiles {

    private ChecksFiles() {
    }

    /** Writes {@code yaml} to a temporary checks file; returns the config that points the sidecar at it. */
    public static Map<String, String> configFor(String yaml) {
        try {
            Path file = Files.createTempFile("checks", ".yaml");
            Files.writeString(file, yaml);
            // The Quarkus application reads it for as long as the test JVM runs: removed when that JVM exits.
            file.toFile().deleteOnExit();
            return Map.of("sidecar.config-file", file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
