package dev.healthcheckoperator.sidecar.checks.spec;

import java.nio.file.Path;
import java.util.List;

/** The checks file cannot be used; {@link #problems()} name each bad field, e.g. {@code checks[1].tcpSocket.port}. */
public class InvalidChecksFileException extends RuntimeException {

    private final List<String> problems;

    public InvalidChecksFileException(Path file, List<String> problems) {
        super("invalid checks file " + file + ":\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
