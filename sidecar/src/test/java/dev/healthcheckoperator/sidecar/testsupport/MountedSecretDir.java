package dev.healthcheckoperator.sidecar.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A directory laid out like the kubelet's Secret and ConfigMap volumes: each key is a symlink {@code key ->
 * ..data/key}, {@code ..data} a symlink to a timestamped directory holding the files. An update writes a new
 * directory and renames a new {@code ..data} link over the old one, so a reader sees the old or the new version
 * whole, never a mix.
 */
public final class MountedSecretDir {

    private final Path dir;
    private final AtomicInteger version = new AtomicInteger();

    public MountedSecretDir(Path dir, Map<String, String> content) {
        this.dir = dir;
        update(content);
        try {
            for (String key : content.keySet()) {
                Files.createSymbolicLink(dir.resolve(key), Path.of("..data", key));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path file(String key) {
        return dir.resolve(key);
    }

    /** What the kubelet does when the Secret changed: a new version, swapped in by one rename. */
    public void update(Map<String, String> content) {
        try {
            Path next = Files.createDirectory(dir.resolve("..2026_v" + version.incrementAndGet()));
            for (Map.Entry<String, String> entry : content.entrySet()) {
                Files.writeString(next.resolve(entry.getKey()), entry.getValue());
            }
            Path link = dir.resolve("..data_tmp");
            Files.createSymbolicLink(link, next.getFileName());
            Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
