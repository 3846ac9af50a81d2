package dev.healthcheckoperator.sidecar.checks.tls;

import dev.healthcheckoperator.sidecar.checks.spec.HeaderValue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A mounted ConfigMap or Secret key, read whole each time it is needed. The kubelet updates such a file by swapping
 * a symlink to a new directory, so reading it again (rather than watching it) always sees one complete version, old
 * or new. Reads block: callers run them on a worker thread. Every failure names the file and what is wrong with it,
 * never its content.
 */
public final class MountedFile {

    /** A file that cannot be used: missing, empty, too large, a directory, unreadable, or of the wrong content. */
    public static final class UnreadableException extends RuntimeException {
        public UnreadableException(String message) {
            super(message);
        }
    }

    private MountedFile() {
    }

    /** The bytes of {@code path}, at most {@code maxBytes}; {@code what} names it in messages ("CA bundle"). */
    public static byte[] read(String path, String what, int maxBytes) {
        Path file = Path.of(path);
        String name = what + " file " + path;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class); // follows links
            if (attributes.isDirectory()) {
                throw new UnreadableException(name + " is a directory, not a file");
            }
            if (!attributes.isRegularFile()) {
                throw new UnreadableException(name + " is not a regular file");
            }
            if (attributes.size() > maxBytes) {
                throw tooLarge(name, maxBytes);
            }
            byte[] content;
            try (InputStream in = Files.newInputStream(file)) {
                content = in.readNBytes(maxBytes + 1); // bounded even if the file grew after the size was read
            }
            if (content.length > maxBytes) {
                throw tooLarge(name, maxBytes);
            }
            if (content.length == 0) {
                throw new UnreadableException(name + " is empty");
            }
            return content;
        } catch (NoSuchFileException e) {
            throw new UnreadableException(name + " does not exist (is its Secret or ConfigMap key mounted?)");
        } catch (AccessDeniedException e) {
            throw new UnreadableException(name + " cannot be read: permission denied");
        } catch (IOException e) {
            throw new UnreadableException(name + " cannot be read: " + e.getClass().getSimpleName());
        }
    }

    /**
     * A header value from a file: at most {@link HeaderValue#MAX_LENGTH} characters of visible ASCII, spaces and
     * tabs, after one line ending at the end (a Secret made from a file often has one) is dropped.
     */
    public static String readHeaderValue(String path) {
        byte[] bytes = read(path, "header value", HeaderValue.MAX_LENGTH + 2);
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\n') {
            length--;
            if (length > 0 && bytes[length - 1] == '\r') {
                length--;
            }
        }
        // One char per byte, so a non-ASCII byte is reported at its position rather than decoded into a guess.
        String value = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        if (value.isEmpty()) {
            throw new UnreadableException("header value file " + path + " holds only a line ending");
        }
        String problem = HeaderValue.problem(value);
        if (problem != null) {
            throw new UnreadableException("header value file " + path + ": " + problem);
        }
        return value;
    }

    /**
     * A request body from a file: its bytes as they are (a trailing line ending included: a body is not a header),
     * at most {@code maxBytes}.
     */
    public static byte[] readBody(String path, int maxBytes) {
        return read(path, "request body", maxBytes);
    }

    private static UnreadableException tooLarge(String name, int maxBytes) {
        return new UnreadableException(name + " is larger than " + maxBytes + " bytes");
    }
}
