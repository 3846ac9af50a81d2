package dev.healthcheckoperator.clustertests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The packaged probe sidecar as a process, run the way its image runs it ({@code java @jvm.options -jar}), with a
 * checks file: the real thing the operator polls, on 127.0.0.1.
 */
final class SidecarProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final Process process;
    private final int port;
    private final Path log;

    private SidecarProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the sidecar with {@code checksYaml} as its checks file and waits until it is ready. */
    static SidecarProcess start(Path repoRoot, Path directory, String checksYaml) {
        Path jar = repoRoot.resolve("sidecar/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first with mvn -B -pl sidecar -am package");
        }
        int port = OperatorProcess.freeLoopbackPort();
        Path checks = directory.resolve("checks-" + port + ".yaml");
        Path log = directory.resolve("sidecar-" + port + ".log");
        try {
            Files.createDirectories(directory);
            Files.writeString(checks, checksYaml);
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder builder = new ProcessBuilder(List.of(java, "@" + repoRoot.resolve("sidecar/jvm.options"),
                    "-jar", jar.toString())).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("SIDECAR_PORT", Integer.toString(port));
            builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
            builder.environment().put("SIDECAR_CONFIG_FILE", checks.toString());
            SidecarProcess sidecar = new SidecarProcess(builder.start(), port, log);
            sidecar.awaitReady();
            return sidecar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the sidecar " + jar, e);
        }
    }

    int port() {
        return port;
    }

    private void awaitReady() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
        await("sidecar on port " + port + " ready (log: " + log + ")").atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(250)).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the sidecar exited: " + Files.readString(log));
                    }
                    return client.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
