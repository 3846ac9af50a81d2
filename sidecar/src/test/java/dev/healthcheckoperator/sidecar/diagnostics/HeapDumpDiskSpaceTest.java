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

/**
 * The shape the operator used to deploy: dumps on a volume whose size limit (16 MiB) is below the heap plus
 * the reserve. The disk has room, the volume has not: 507 before anything is written (the kubelet would
 * otherwise evict the pod for filling its emptyDir).
 */
@QuarkusTest
@TestProfile(HeapDumpDiskSpaceTest.SmallVolume.class)
class HeapDumpDiskSpaceTest {

    static final Path DUMP_DIR = Path.of(System.getProperty("java.io.tmpdir"), "sidecar-full-disk-" + ProcessHandle.current().pid());

    public static class SmallVolume implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sidecar.diagnostics.enabled", "true",
                    "sidecar.diagnostics.port", "0",
                    "sidecar.diagnostics.token", DiagnosticsEndpointsTest.TOKEN,
                    "sidecar.diagnostics.heap-dump-dir", DUMP_DIR.toString(),
                    "sidecar.diagnostics.heap-dump-volume-bytes", Long.toString(16L * 1024 * 1024));
        }
    }

    @Inject
    DiagnosticsServer server;

    @Test
    void refusedWith507AndNoFileLeft() throws Exception {
        for (int attempt = 0; attempt < 2; attempt++) { // the slot is released after a refusal
            given().port(server.port()).header("Authorization", "Bearer " + DiagnosticsEndpointsTest.TOKEN)
                    .when().get("/debug/heapdump").then().statusCode(507)
                    .body("message", containsString("not enough volume (limit 16 MiB) for a heap dump"))
                    .body("message", containsString("plus a reserve of 64 MiB"))
                    .body("message", containsString("MiB free"));
        }
        try (Stream<Path> files = Files.walk(DUMP_DIR)) {
            assertThat(files.filter(p -> !p.equals(DUMP_DIR)).count()).isZero();
        }
    }
}
