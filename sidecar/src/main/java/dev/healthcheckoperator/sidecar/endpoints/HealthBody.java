package dev.healthcheckoperator.sidecar.endpoints;

import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * The reference service's body, {@code {"status":"ok","timestamp":"2006-01-02T15:04:05Z"}}, built once per
 * second instead of once per request: the timestamp has seconds precision anyway.
 */
final class HealthBody {

    private record PerSecond(long epochSecond, String timestamp, Buffer okBody) {
    }

    private volatile PerSecond current = build(Instant.now().getEpochSecond());

    /** Seconds-precision RFC 3339 in UTC, as Go's {@code time.RFC3339} prints it. */
    String timestamp() {
        return currentSecond().timestamp();
    }

    Buffer ok() {
        return currentSecond().okBody();
    }

    private PerSecond currentSecond() {
        long now = System.currentTimeMillis() / 1000;
        PerSecond cached = current;
        if (cached.epochSecond() != now) {
            cached = build(now);
            current = cached;
        }
        return cached;
    }

    private static PerSecond build(long epochSecond) {
        String timestamp = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(epochSecond));
        return new PerSecond(epochSecond, timestamp,
                Buffer.buffer("{\"status\":\"ok\",\"timestamp\":\"" + timestamp + "\"}"));
    }
}
