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
    private final TlsHttpClient clients;
    private final Buffer requestFrame;
    private final PooledExchange exchanges = new PooledExchange();

    public GrpcHealthProbe(Vertx vertx, GrpcAction action) {
        this.action = action;
        this.requestFrame = frame(action.serviceOrEmpty());
        // Over TLS, HTTP/2 is negotiated by ALPN; in plaintext gRPC servers expect HTTP/2 prior knowledge.
        this.clients = new TlsHttpClient(vertx, () -> new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false)
                .setUseAlpn(action.usesTls())
                .setHttp2MaxPoolSize(1)
                .setMaxWaitQueueSize(2), action.tls());
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

    /** The response is not a well-formed gRPC message: a GrpcError, never a loop or a guess. */
    static final class MalformedResponseException extends RuntimeException {
        MalformedResponseException(String message) {
            super(message);
        }
    }

    /**
     * The {@code status} (field 1, varint) of a framed {@code HealthCheckResponse}; 0 (UNKNOWN) when absent.
     * The frame must hold exactly one uncompressed message whose length matches what arrived; every field's
     * length is checked against what is left, and fields of every wire type are skipped.
     */
    static int servingStatus(Buffer framed) {
        if (framed.length() < 5) {
            throw new MalformedResponseException("response of " + framed.length()
                    + " bytes is shorter than a gRPC frame header");
        }
        int flag = framed.getUnsignedByte(0);
        if (flag != 0) {
            throw new MalformedResponseException(flag == 1 ? "compressed message, though none was asked for"
                    : "invalid frame flag " + flag);
        }
        long declared = framed.getUnsignedInt(1);
        long arrived = framed.length() - 5L;
        if (declared > MAX_RESPONSE_BYTES - 5) {
            throw new MalformedResponseException("message length " + declared + " (as a signed int "
                    + framed.getInt(1) + ") exceeds " + (MAX_RESPONSE_BYTES - 5) + " bytes");
        }
        if (declared > arrived) {
            throw new MalformedResponseException("truncated frame: " + arrived + " of " + declared + " bytes");
        }
        if (declared < arrived) {
            throw new MalformedResponseException((arrived - declared) + " bytes after the message of " + declared
                    + " bytes (a unary answer holds one message)");
        }
        ProtobufReader reader = new ProtobufReader(framed, 5, framed.length());
        long status = 0;
        while (reader.hasMore()) {
            long tag = reader.varint();
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 0x07);
            if (field == 1 && wireType == 0) {
                status = reader.varint();
            } else {
                reader.skip(field, wireType);
            }
        }
        return status >= 0 && status <= Integer.MAX_VALUE ? (int) status : -1;
    }

    /** Just enough of the protobuf wire format to find one field and skip everything else safely. */
    private static final class ProtobufReader {
        private static final int MAX_GROUP_DEPTH = 32;
        private final Buffer buffer;
        private final int end;
        private int pos;

        ProtobufReader(Buffer buffer, int start, int end) {
            this.buffer = buffer;
            this.pos = start;
            this.end = end;
        }

        boolean hasMore() {
            return pos < end;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new MalformedResponseException("truncated protobuf varint");
                }
                int b = buffer.getUnsignedByte(pos++);
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new MalformedResponseException("protobuf varint longer than 10 bytes");
        }

        void skip(int field, int wireType) {
            skip(field, wireType, 0);
        }

        private void skip(int field, int wireType, int depth) {
            if (field <= 0) {
                throw new MalformedResponseException("invalid protobuf field number " + field);
            }
            switch (wireType) {
                case 0 -> varint();
                case 1 -> advance(8, field);
                case 2 -> {
                    long length = varint();
                    if (length > end - pos) {
                        throw new MalformedResponseException("field " + field + " claims " + length
                                + " bytes, " + (end - pos) + " are left");
                    }
                    pos += (int) length;
                }
                case 3 -> skipGroup(field, depth + 1);
                case 5 -> advance(4, field);
                default -> throw new MalformedResponseException((wireType == 4 ? "unmatched end of group, field "
                        : "invalid protobuf wire type " + wireType + ", field ") + field);
            }
        }

        /** A (deprecated) group: fields up to the end-group tag of the same field number. */
        private void skipGroup(int field, int depth) {
            if (depth > MAX_GROUP_DEPTH) {
                throw new MalformedResponseException("protobuf groups nested deeper than " + MAX_GROUP_DEPTH);
            }
            while (hasMore()) {
                long tag = varint();
                int inner = (int) (tag >>> 3);
                int wireType = (int) (tag & 0x07);
                if (wireType == 4) {
                    if (inner != field) {
                        throw new MalformedResponseException("group " + field + " ended by field " + inner);
                    }
                    return;
                }
                skip(inner, wireType, depth);
            }
            throw new MalformedResponseException("group " + field + " is never ended");
        }

        private void advance(int bytes, int field) {
            if (bytes > end - pos) {
                throw new MalformedResponseException("field " + field + " needs " + bytes + " bytes, "
                        + (end - pos) + " are left");
            }
            pos += bytes;
        }
    }

    @Override
    public Future<ProbeOutcome> run(ProbeDeadline deadline) {
        deadline.phase("reading the mounted TLS files");
        return clients.current().compose(client -> call(client, deadline)).otherwise(ProbeOutcome::fromError);
    }

    private Future<ProbeOutcome> call(HttpClient client, ProbeDeadline deadline) {
        long timeoutMillis = deadline.remainingMillis();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setURI(METHOD_PATH)
                .putHeader("content-type", "application/grpc")
                .putHeader("te", "trailers")
                .putHeader("grpc-timeout", timeoutMillis + "m");
        clients.address(options, action.host(), action.port(), action.usesTls());
        // At the deadline the exchange resets its stream (an HTTP/2 RST_STREAM): the connection stays usable.
        return exchanges.send(client, options, deadline, request -> {
                    deadline.phase("waiting for the answer");
                    return request.send(requestFrame);
                })
                .compose(this::judge)
                .otherwise(error -> error instanceof MalformedResponseException
                        || error instanceof BoundedBody.TooLargeException
                        ? ProbeOutcome.failure(FailureReason.GrpcError, "malformed answer: " + error.getMessage())
                        : ProbeOutcome.fromError(error));
    }

    private Future<ProbeOutcome> judge(HttpClientResponse response) {
        if (response.statusCode() != 200) {
            response.request().reset(); // the status decides; the body is not read
            return Future.succeededFuture(ProbeOutcome.failure(FailureReason.GrpcError,
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
        clients.close();
    }
}
