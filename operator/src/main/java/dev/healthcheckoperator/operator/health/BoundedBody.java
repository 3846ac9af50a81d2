package dev.healthcheckoperator.operator.health;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Collects a response body up to a size limit. A sidecar's report is a few KiB; anything far larger is a misbehaving
 * peer (or not a sidecar), and reading it would cost heap and time for nothing, so the read stops at the limit.
 */
final class BoundedBody {

    /** Like kubelet's probe body limit, with room for a sidecar that runs many checks with long messages. */
    static final int MAX_BYTES = 64 * 1024;

    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    BoundedBody(int limit) {
        this.limit = limit;
    }

    /** Appends what fits; false (and nothing appended) once the body would exceed the limit. */
    synchronized boolean append(ByteBuffer buffer) {
        int length = buffer.remaining();
        if (bytes.size() + length > limit) {
            return false;
        }
        byte[] chunk = new byte[length];
        buffer.get(chunk);
        bytes.write(chunk, 0, length);
        return true;
    }

    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    BodyTooLargeException tooLarge() {
        return new BodyTooLargeException(limit);
    }

    /** The sidecar sent more than the poller reads. */
    static final class BodyTooLargeException extends RuntimeException {

        private final int limit;

        BodyTooLargeException(int limit) {
            super("response body exceeds " + limit + " bytes", null, false, false);
            this.limit = limit;
        }

        int limit() {
            return limit;
        }
    }
}
