package dev.healthcheckoperator.clustertests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a program to completion, with a deadline, and keeps what it printed. */
final class Command {

    /** What a finished program left: its exit code and both output streams. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        boolean succeeded() {
            return exitCode == 0;
        }

        /** Throws with everything the program printed unless it exited with 0. */
        Result orThrow() {
            if (!succeeded()) {
                throw new IllegalStateException(describe());
            }
            return this;
        }

        String describe() {
            return String.join(" ", command) + " exited with " + exitCode + "\n--- stdout\n" + stdout
                    + "\n--- stderr\n" + stderr;
        }
    }

    private Command() {
    }

    static Result run(Path directory, Map<String, String> environment, Duration timeout, String stdin,
            List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        try (var in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException("cannot write to " + command, e);
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(
                        String.join(" ", command) + " did not finish within " + timeout + "; stderr:\n"
                                + stderr.getNow(""));
            }
            return new Result(List.copyOf(command), process.exitValue(), stdout.join(), stderr.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    static List<String> args(String program, String... arguments) {
        List<String> command = new ArrayList<>(arguments.length + 1);
        command.add(program);
        command.addAll(List.of(arguments));
        return command;
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
