package dev.healthcheckoperator.sidecar.diagnostics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A dump that would not fit (here: a reserve larger than any disk) is refused before anything is written. */
@QuarkusTest
@TestProfile(HeapDumpDiskSpaceTest.HugeReserve.class)
class HeapDumpDiskSpaceTest {

    static final Path DUMP_DIR = Path.of(System.getProperty("java.io.tmpdir"), "sidecar-full-disk-" + ProcessHandle.current().pid());

    public static class HugeReserve implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sidecar.diagnostics.enabled", "true",
                    "sidecar.diagnostics.port", "0",
                    "sidecar.diagnostics.token", DiagnosticsEndpointsTest.TOKEN,
                    "sidecar.diagnostics.heap-dump-dir", DUMP_DIR.toString(),
                    "sidecar.diagnostics.heap-dump-reserve-bytes", Long.toString(1L << 60));
        }
    }

    @Inject
    DiagnosticsServer server;

    @Test
    void refusedWith507AndNoFileLeft() throws Exception {
        for (int attempt = 0; attempt < 2; attempt++) { // the slot is released after a refusal
            given().port(server.port()).header("Authorization", "Bearer " + DiagnosticsEndpointsTest.TOKEN)
                    .when().get("/debug/heapdump").then().statusCode(507)
                    .body("message", containsString("not enough disk for a heap dump"))
                    .body("message", containsString("MiB free"));
        }
        try (Stream<Path> files = Files.walk(DUMP_DIR)) {
            assertThat(files.filter(p -> !p.equals(DUMP_DIR)).count()).isZero();
        }
    }
}
