package dev.healthcheckoperator.clustertests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator ({@code java -jar operator/target/quarkus-app/quarkus-run.jar}) as a child process, kept
 * running the way a kubelet keeps a container with {@code restartPolicy: Always} running: when it exits (it does so
 * by design when it loses its leader Lease, e.g. while the API server is away), it is started again. Its output from
 * every run is appended to one log file.
 */
final class OperatorProcess {

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final List<String> command;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final Path log;
    private final int httpPort;
    private final List<String> exits = new ArrayList<>();
    private Process process;
    private int starts;
    private boolean stopping;

    /**
     * Lease timings of 8 s / 6 s / 1 s instead of the shipped 15 s / 10 s / 2 s, in the same proportions (a test's
     * environment may set others): a restarted operator waits out the Lease its killed predecessor held, and these
     * waits are time, not what the tests prove.
     */
    static final Map<String, String> SHORT_LEASE = Map.of(
            "HEALTHCHECK_LEADER_ELECTION_LEASE_DURATION", "8s",
            "HEALTHCHECK_LEADER_ELECTION_RENEW_DEADLINE", "6s",
            "HEALTHCHECK_LEADER_ELECTION_RETRY_PERIOD", "1s");

    OperatorProcess(Path jar, Map<String, String> environment, Path workingDirectory, Path log) {
        this.httpPort = freeLoopbackPort();
        String java = ProcessHandle.current().info().command().orElse("java");
        // The image's JVM settings (operator/jvm.options, beside target/ of the jar's module), then a small heap:
        // the machine is shared with the control plane and other builds.
        Path options = jar.toAbsolutePath().getParent().getParent().getParent().resolve("jvm.options");
        List<String> command = new ArrayList<>(List.of(java));
        if (Files.isRegularFile(options)) {
            command.add("@" + options);
        }
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-jar", jar.toString()));
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory;
        this.log = log;
    }

    synchronized void start() {
        stopping = false;
        starts++;
        appendToLog("===== " + Instant.now() + " operator start #" + starts + " =====\n");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(SHORT_LEASE);
        builder.environment().putAll(environment);
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the operator: " + command, e);
        }
        Process started = process;
        started.onExit().thenRun(() -> restartAfterExit(started));
    }

    private synchronized void restartAfterExit(Process exited) {
        if (stopping || exited != process) {
            return;
        }
        String exit = "operator pid " + exited.pid() + " exited with " + exited.exitValue();
        exits.add(exit);
        appendToLog("===== " + Instant.now() + " " + exit + ", starting it again =====\n");
        start();
    }

    /** Exits the operator did not get asked for (crashes, SIGKILL, lost Lease), in order. */
    synchronized List<String> unrequestedExits() {
        return List.copyOf(exits);
    }

    synchronized long pid() {
        return process.pid();
    }

    /** SIGKILL, as an OOM kill or a node failure would; the supervision starts it again. */
    void kill() throws InterruptedException {
        Process current;
        synchronized (this) {
            current = process;
        }
        current.destroyForcibly();
        current.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL after a grace period; not started again. Safe to call more than once. */
    void stop() {
        Process current;
        synchronized (this) {
            stopping = true;
            current = process;
        }
        if (current == null || !current.isAlive()) {
            return;
        }
        current.destroy();
        try {
            if (!current.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                current.destroyForcibly().waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            current.destroyForcibly();
        }
    }

    /** Whether the running operator answers 200 on /q/health/ready (its controller is started). */
    boolean ready() {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI
                    .create("http://127.0.0.1:" + httpPort + "/q/health/ready").toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(2000);
            try {
                return connection.getResponseCode() == 200;
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** The loopback port of its HTTP server: /q/health, /q/metrics. */
    int httpPort() {
        return httpPort;
    }

    Path log() {
        return log;
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the log ends now; {@link #logSince(long)} reads what comes after. */
    long logPosition() {
        try {
            return Files.size(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String logSince(long position) {
        try {
            byte[] bytes = Files.readAllBytes(log);
            int from = (int) Math.min(position, bytes.length);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String logTail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private void appendToLog(String line) {
        try {
            Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
