package dev.healthcheckoperator.clustertests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code kubectl port-forward} to a random local port on 127.0.0.1, stopped on close. */
final class PortForward implements AutoCloseable {

    private static final Pattern FORWARDING = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) ->");
    private static final long START_TIMEOUT_SECONDS = 60;

    private final Process process;
    private final int localPort;

    private PortForward(Process process, int localPort) {
        this.process = process;
        this.localPort = localPort;
    }

    static PortForward start(Kubectl kubectl, String namespace, String target, int remotePort) {
        Process process;
        try {
            process = new ProcessBuilder(kubectl.command(List.of("-n", namespace, "port-forward",
                    "--address=127.0.0.1", target, ":" + remotePort))).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start kubectl port-forward", e);
        }
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        // Waits for the line naming the local port, bounded; the rest of the output is drained so that kubectl
        // never blocks on a full pipe.
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = output.readLine()) != null;) {
                    Matcher matcher = FORWARDING.matcher(line);
                    if (matcher.find()) {
                        Thread drain = new Thread(() -> output.lines().forEach(ignored -> { }), "port-forward-output");
                        drain.setDaemon(true);
                        drain.start();
                        return Integer.parseInt(matcher.group(1));
                    }
                }
                throw new IllegalStateException("kubectl port-forward exited with " + process.waitFor());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        try {
            return new PortForward(process, port.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("kubectl port-forward to " + target + ":" + remotePort
                    + " did not start", e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    int localPort() {
        return localPort;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
