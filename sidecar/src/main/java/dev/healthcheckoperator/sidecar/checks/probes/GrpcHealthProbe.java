package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.GrpcAction;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;

/**
 * {@code grpc}: the standard {@code grpc.health.v1.Health/Check} call, spoken directly over Vert.x'
 * HTTP/2 client. The two messages involved have one field each, so encoding them by hand keeps grpc-java,
 * protobuf and Guava (several MB and a second Netty) out of the sidecar; tests call a real grpc-java server.
 */
public final class GrpcHealthProbe implements Probe {

    static final String METHOD_PATH = "/grpc.health.v1.Health/Check";
    private static final int SERVING = 1;
    private static final String[] SERVING_STATUS = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
    private static final String[] GRPC_CODES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED"};
    private static final int MAX_RESPONSE_BYTES = 4096;

    private final GrpcAction action;
    private final HttpClient client;
    private final Buffer requestFrame;

    public GrpcHealthProbe(Vertx vertx, GrpcAction action) {
        this.action = action;
        this.requestFrame = frame(action.serviceOrEmpty());
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false) // gRPC servers expect HTTP/2 prior knowledge
                .setHttp2MaxPoolSize(1)
                .setMaxWaitQueueSize(2));
    }

    /** A gRPC length-prefixed message holding {@code HealthCheckRequest{string service = 1}}. */
    static Buffer frame(String service) {
        byte[] name = service.getBytes(StandardCharsets.UTF_8);
        Buffer message = Buffer.buffer();
        if (name.length > 0) {
            message.appendByte((byte) 0x0A); // field 1, wire type 2 (length-delimited)
            appendVarint(message, name.length);
            message.appendBytes(name);
        }
        return Buffer.buffer().appendByte((byte) 0).appendInt(message.length()).appendBuffer(message);
    }

    private static void appendVarint(Buffer buffer, int value) {
        while ((value & ~0x7F) != 0) {
            buffer.appendByte((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        buffer.appendByte((byte) value);
    }

    /** The {@code status} (field 1, varint) of a framed {@code HealthCheckResponse}; 0 (UNKNOWN) when absent. */
    static int servingStatus(Buffer framed) {
        if (framed.length() < 5) {
            throw new IllegalArgumentException("response shorter than a gRPC frame header");
        }
        int status = 0;
        int[] pos = {5};
        int end = Math.min(framed.length(), 5 + framed.getInt(1));
        while (pos[0] < end) {
            long tag = readVarint(framed, pos, end);
            int wireType = (int) (tag & 0x07);
            if (wireType == 0) {
                long value = readVarint(framed, pos, end);
                if (tag >>> 3 == 1) {
                    status = (int) value;
                }
            } else if (wireType == 2) {
                pos[0] += (int) readVarint(framed, pos, end);
            } else {
                throw new IllegalArgumentException("unexpected protobuf wire type " + wireType);
            }
        }
        return status;
    }

    private static long readVarint(Buffer buffer, int[] pos, int end) {
        long value = 0;
        for (int shift = 0; pos[0] < end && shift < 64; shift += 7) {
            int b = buffer.getUnsignedByte(pos[0]++);
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("truncated protobuf varint");
    }

    @Override
    public Future<ProbeOutcome> run(long timeoutMillis) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(action.host())
                .setPort(action.port())
                .setURI(METHOD_PATH)
                .setConnectTimeout(timeoutMillis)
                .setIdleTimeout(timeoutMillis)
                .putHeader("content-type", "application/grpc")
                .putHeader("te", "trailers")
                .putHeader("grpc-timeout", timeoutMillis + "m");
        return client.request(options)
                .compose(request -> request.send(requestFrame))
                .compose(this::judge)
                .otherwise(ProbeOutcome::fromError);
    }

    private Future<ProbeOutcome> judge(HttpClientResponse response) {
        if (response.statusCode() != 200) {
            return response.end().map(v -> ProbeOutcome.failure(FailureReason.GrpcError,
                    "HTTP " + response.statusCode() + " (not a gRPC server?)"));
        }
        return BoundedBody.read(response, MAX_RESPONSE_BYTES).map(body -> {
            // A "trailers-only" answer carries grpc-status in the headers.
            String grpcStatus = response.getHeader("grpc-status");
            if (grpcStatus == null) {
                grpcStatus = response.getTrailer("grpc-status");
            }
            if (grpcStatus == null) {
                return ProbeOutcome.failure(FailureReason.GrpcError, "no grpc-status in the answer");
            }
            int code = parseCode(grpcStatus);
            if (code != 0) {
                String name = code >= 0 && code < GRPC_CODES.length ? GRPC_CODES[code] : grpcStatus;
                String detail = response.getTrailer("grpc-message");
                if (detail == null) {
                    detail = response.getHeader("grpc-message");
                }
                return ProbeOutcome.failure(FailureReason.GrpcError,
                        "gRPC status " + name + (detail == null ? "" : ": " + detail));
            }
            int serving = servingStatus(body);
            String servingName = serving >= 0 && serving < SERVING_STATUS.length
                    ? SERVING_STATUS[serving] : String.valueOf(serving);
            return serving == SERVING ? ProbeOutcome.success(servingName)
                    : ProbeOutcome.failure(FailureReason.GrpcNotServing, "health status " + servingName);
        });
    }

    private static int parseCode(String grpcStatus) {
        try {
            return Integer.parseInt(grpcStatus.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
