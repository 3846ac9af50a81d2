package dev.healthcheckoperator.sidecar.checks.probes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.GrpcAction;
import dev.healthcheckoperator.sidecar.testsupport.Probing;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A gRPC server (HTTP/2 on 127.0.0.1, grpc-status OK) whose answer frame is malformed: every case is a GrpcError
 * naming what is wrong, never a loop, an exception or a guessed status.
 */
class GrpcMalformedAnswerTest {

    private static Vertx vertx;
    private static HttpServer server;
    private static volatile Buffer answer;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
                .requestHandler(request -> request.body().onComplete(body -> request.response()
                        .putHeader("content-type", "application/grpc")
                        .putTrailer("grpc-status", "0")
                        .end(answer)));
        server.listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static ProbeOutcome probe(String hex) throws Exception {
        answer = Buffer.buffer(java.util.HexFormat.of().parseHex(hex.replace(" ", "")));
        GrpcHealthProbe probe = new GrpcHealthProbe(vertx, new GrpcAction("127.0.0.1", server.actualPort(), null));
        try {
            return Probing.once(vertx, probe, 3000);
        } finally {
            probe.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            negative length (0xFFFFFFFF)     | 00 FFFFFFFF 0801              | message length 4294967295 (as a signed int -1) exceeds 4091 bytes
            oversized length                 | 00 7FFFFFFF 0801              | message length 2147483647 (as a signed int 2147483647) exceeds 4091 bytes
            truncated frame                  | 00 0000000A 0801              | truncated frame: 2 of 10 bytes
            shorter than a frame header      | 00 0000                       | response of 3 bytes is shorter than a gRPC frame header
            bytes after the message          | 00 00000002 0801 00           | 1 bytes after the message of 2 bytes (a unary answer holds one message)
            compressed though not asked      | 01 00000002 0801              | compressed message, though none was asked for
            field length past the end        | 00 00000004 0801 120F         | field 2 claims 15 bytes, 0 are left
            field length that overflows int  | 00 00000008 12 FFFFFFFF0F 0801 | field 2 claims 4294967295 bytes, 2 are left
            truncated varint                 | 00 00000002 08FF              | truncated protobuf varint
            invalid wire type 7              | 00 00000003 0801 17           | invalid protobuf wire type 7, field 2
            end group without a start        | 00 00000003 0801 14           | unmatched end of group, field 2
            group never ended                | 00 00000005 0801 1B0801       | group 3 is never ended
            fixed64 cut short                | 00 00000004 0801 1101         | field 2 needs 8 bytes, 1 are left
            field number 0                   | 00 00000002 0001              | invalid protobuf field number 0
            """)
    void malformedAnswerIsAGrpcError(String name, String hex, String message) throws Exception {
        ProbeOutcome outcome = probe(hex);
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.GrpcError);
        assertThat(outcome.message()).isEqualTo("malformed answer: " + message);
    }

    /** Unknown fields of every wire type (varint, fixed64, length-delimited, group, fixed32) are skipped. */
    @Test
    void fieldsOfEveryWireTypeAreSkipped() throws Exception {
        String message = "10 96 01"          // field 2, varint 150
                + " 19 0102030405060708"      // field 3, fixed64
                + " 22 03 616263"            // field 4, length-delimited "abc"
                + " 2B 08 01 22 01 78 2C"    // field 5, group { varint, bytes }
                + " 35 01020304"              // field 6, fixed32
                + " 08 01";                   // field 1 (status) = SERVING
        int length = message.replace(" ", "").length() / 2;
        ProbeOutcome outcome = probe("00" + String.format("%08X", length) + message);
        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        assertThat(outcome.message()).isEqualTo("SERVING");
    }

    @Test
    void emptyMessageIsStatusUnknown() throws Exception {
        ProbeOutcome outcome = probe("00 00000000");
        assertThat(outcome.reason()).isEqualTo(FailureReason.GrpcNotServing);
        assertThat(outcome.message()).isEqualTo("health status UNKNOWN");
    }

    @Test
    void answerLargerThanTheCapIsAGrpcError() throws Exception {
        ProbeOutcome outcome = probe("00 00002000 " + "00".repeat(0x2000));
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.GrpcError);
        assertThat(outcome.message()).isEqualTo("malformed answer: response body larger than 4096 bytes");
    }
}
