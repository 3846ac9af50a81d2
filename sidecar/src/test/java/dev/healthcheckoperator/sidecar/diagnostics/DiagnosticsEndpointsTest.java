package dev.healthcheckoperator.sidecar.diagnostics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.hamcrest.CustomTypeSafeMatcher;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(DiagnosticsEndpointsTest.Enabled.class)
class DiagnosticsEndpointsTest {

    static final String TOKEN = "test-token-0123456789abcdef";
    static final Path DUMP_DIR = Path.of(System.getProperty("java.io.tmpdir"), "sidecar-dump-test-" + ProcessHandle.current().pid());

    public static class Enabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sidecar.diagnostics.enabled", "true",
                    "sidecar.diagnostics.port", "0",
                    "sidecar.diagnostics.host", "127.0.0.1",
                    "sidecar.diagnostics.token", TOKEN,
                    "sidecar.diagnostics.heap-dump-dir", DUMP_DIR.toString(),
                    "sidecar.diagnostics.sample-interval", "200ms");
        }
    }

    @Inject
    DiagnosticsServer server;

    private RequestSpecification authorized() {
        return given().port(server.port()).header("Authorization", "Bearer " + TOKEN);
    }

    @Test
    void missingOrWrongTokenIs401WithNothingElse() {
        for (String path : new String[] {"/debug/heap", "/debug/heapdump", "/debug/threads", "/no/such/path"}) {
            given().port(server.port()).when().get(path).then().statusCode(401)
                    .header("WWW-Authenticate", containsString("Bearer"))
                    .body("message", equalTo("a valid bearer token is required"));
            given().port(server.port()).header("Authorization", "Bearer " + TOKEN + "x").when().get(path).then()
                    .statusCode(401).body(not(containsString("heap\"")));
            given().port(server.port()).header("Authorization", "Basic " + TOKEN).when().get(path).then()
                    .statusCode(401);
        }
    }

    @Test
    void notOnThePublicPort() {
        given().header("Authorization", "Bearer " + TOKEN).when().get("/debug/heap").then().statusCode(404);
    }

    @Test
    void heapSummary() {
        authorized().when().get("/debug/heap").then().statusCode(200)
                .header("Content-Type", equalTo("application/json"))
                .body("heap.usedBytes", positiveNumber())
                .body("heap.committedBytes", positiveNumber())
                .body("nonHeap.usedBytes", positiveNumber())
                .body("pools.name", hasItems("Metaspace"))
                .body("pools.find { it.type == 'HEAP' && it.usedAfterLastGcBytes != null }", notNullValue())
                .body("gc.size()", greaterThan(0))
                .body("gc[0].count", notNullValue())
                .body("threads.live", greaterThan(1))
                .body("threads.peak", greaterThan(1))
                .body("threads.deadlocked", equalTo(0))
                .body("classes.loaded", greaterThan(100))
                .body("bufferPools.name", hasItems("direct", "mapped"))
                .body("fileDescriptors.open", greaterThan(0))
                .body("fileDescriptors.max", greaterThan(0))
                .body("process.rssBytes", positiveNumber())
                .body("process.uptimeMs", positiveNumber())
                .body("process.nativeImage", equalTo(false));
    }

    /**
     * A positive JSON number of any size: the JSON path gives an Integer below 2^31 and a Long above (a test JVM's
     * RSS or committed heap may well pass 2 GiB), and greaterThan(0) would match only the first.
     */
    private static Matcher<Number> positiveNumber() {
        return new CustomTypeSafeMatcher<>("a positive number") {
            @Override
            protected boolean matchesSafely(Number value) {
                return value.longValue() > 0;
            }
        };
    }

    @Test
    void classHistogram() {
        authorized().when().get("/debug/heap/histogram?top=3").then().statusCode(200)
                .body("top", hasSize(3))
                .body("top.className", everyItem(notNullValue()))
                .body("top[0].rank", equalTo(1))
                .body("top[0].bytes", greaterThan(0))
                .body("classes", greaterThan(100));
        authorized().when().get("/debug/heap/histogram").then().statusCode(200).body("top", hasSize(20));
        for (String bad : new String[] {"0", "-1", "1001", "abc", ""}) {
            authorized().when().get("/debug/heap/histogram?top=" + bad).then().statusCode(400)
                    .body("message", containsString("top must be a whole number from 1 to 1000"));
        }
    }

    @Test
    void heapDumpIsAValidHprofFileAndIsRemoved() throws Exception {
        byte[] dump = authorized().when().get("/debug/heapdump").then().statusCode(200)
                .header("Content-Type", equalTo("application/octet-stream"))
                .header("Content-Disposition", containsString(".hprof"))
                .extract().asByteArray();
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(dump))) {
            byte[] magic = new byte[19];
            in.readFully(magic);
            assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("JAVA PROFILE 1.0.2\0");
            assertThat(in.readInt()).as("identifier size").isIn(4, 8);
            long timestamp = in.readLong();
            assertThat(timestamp).isBetween(System.currentTimeMillis() - 600_000, System.currentTimeMillis() + 1000);
            int firstRecordTag = in.readUnsignedByte();
            assertThat(firstRecordTag).as("a known HPROF record tag").isBetween(0x01, 0x2C);
        }
        assertThat(dump.length).isGreaterThan(1024 * 1024);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(filesIn(DUMP_DIR)).isZero());
        authorized().when().get("/debug/heapdump?live=maybe").then().statusCode(400);
    }

    /** While one dump is being sent (its client reads slowly), another gets 429; the file goes when it ends. */
    @Test
    void oneHeapDumpAtATime() throws Exception {
        try (Socket slow = startDumpAndStopReading(server.port(), TOKEN)) {
            authorized().when().get("/debug/heapdump").then().statusCode(429)
                    .header("Retry-After", equalTo("10"))
                    .body("message", containsString("already being taken"));
            assertThat(filesIn(DUMP_DIR)).isEqualTo(1);
        }
        // The slow client went away mid-transfer: the file is removed and the next dump is allowed.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(filesIn(DUMP_DIR)).isZero());
        // Generous: one attempt writes and downloads a whole dump, slow on a busy machine.
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                authorized().when().get("/debug/heapdump").then().statusCode(200));
    }

    /** Asks for a heap dump on a connection with a tiny receive buffer, reads the status line and no more. */
    static Socket startDumpAndStopReading(int port, String token) throws Exception {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setReceiveBufferSize(4096);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /debug/heapdump HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
        return socket;
    }

    static long filesIn(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void threadDumpAsTextAndJson() {
        authorized().when().get("/debug/threads").then().statusCode(200)
                .header("Content-Type", containsString("text/plain"))
                .body(containsString("Threads ("))
                .body(containsString("\tat "));
        authorized().when().get("/debug/threads?format=json").then().statusCode(200)
                .body("deadlocked", hasSize(0))
                .body("threads.name", hasItems("main"))
                .body("threads[0].stack", notNullValue());
        authorized().accept("application/json").when().get("/debug/threads").then().statusCode(200)
                .body("threads.size()", greaterThan(1));
        authorized().when().get("/debug/threads?format=xml").then().statusCode(400)
                .body("message", containsString("format must be text or json"));
    }

    @Test
    void diagnoseReportsEveryCheckWithEvidence() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> authorized().when().get("/debug/diagnose").then()
                .statusCode(200)
                .body("findings.check", hasItems("deadlock", "threadGrowth", "heapGrowthAfterGc", "gcOverhead",
                        "fileDescriptors"))
                .body("findings.find { it.check == 'threadGrowth' }.evidence.samples", greaterThan(4))
                .body("findings.find { it.check == 'fileDescriptors' }.evidence.max", greaterThan(0))
                .body("findings.find { it.check == 'deadlock' }.verdict", equalTo("ok")));
    }

    @Test
    void wrongMethodOrPathOnTheDiagnosticsPort() {
        authorized().when().post("/debug/heap").then().statusCode(405);
        authorized().when().get("/debug/nope").then().statusCode(404);
    }

    /** A real deadlock: reported first by /debug/threads and /debug/diagnose, and it fails /health/live. */
    @Test
    void deadlockIsReportedAndFailsLiveness() throws Exception {
        ReentrantLock first = new ReentrantLock();
        ReentrantLock second = new ReentrantLock();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Thread a = new Thread(() -> lockBoth(first, second, bothHoldOne), "deadlock-a");
        Thread b = new Thread(() -> lockBoth(second, first, bothHoldOne), "deadlock-b");
        a.setDaemon(true);
        b.setDaemon(true);
        a.start();
        b.start();
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    given().when().get("/health/live").then().statusCode(503)
                            .body("reason", equalTo("Deadlock"))
                            .body("threads", hasItems("deadlock-a", "deadlock-b")));
            authorized().when().get("/debug/threads").then().statusCode(200)
                    .body(org.hamcrest.Matchers.startsWith("DEADLOCK: 2 threads are deadlocked"));
            authorized().when().get("/debug/threads?format=json").then()
                    .body("deadlocked.name", hasItems("deadlock-a", "deadlock-b"));
            authorized().when().get("/debug/diagnose").then()
                    .body("verdict", equalTo("critical"))
                    .body("findings.find { it.check == 'deadlock' }.verdict", equalTo("critical"));
            authorized().when().get("/debug/heap").then().body("threads.deadlocked", equalTo(2));
        } finally {
            a.interrupt();
            b.interrupt();
            a.join(5000);
            b.join(5000);
        }
        // The deadlock search is cached for about a second: liveness recovers on a later request.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().when().get("/health/live").then()
                .statusCode(200));
    }

    private static void lockBoth(ReentrantLock mine, ReentrantLock theirs, CountDownLatch bothHoldOne) {
        try {
            mine.lockInterruptibly();
            try {
                bothHoldOne.countDown();
                bothHoldOne.await(5, TimeUnit.SECONDS);
                theirs.lockInterruptibly();
                theirs.unlock();
            } finally {
                mine.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
