package dev.healthcheckoperator.clustertests;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The kubectl built by hack/build-control-plane.sh, bound to one kubeconfig. */
final class Kubectl {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final Path binary;
    private final Path kubeconfig;
    private final Path workingDirectory;

    Kubectl(Path binary, Path kubeconfig, Path workingDirectory) {
        this.binary = binary;
        this.kubeconfig = kubeconfig;
        this.workingDirectory = workingDirectory;
    }

    /** The same kubectl with another identity. */
    Kubectl as(Path otherKubeconfig) {
        return new Kubectl(binary, otherKubeconfig, workingDirectory);
    }

    /** Runs kubectl; the caller decides what a non-zero exit means. */
    Command.Result run(String... arguments) {
        return runWithInput(null, arguments);
    }

    /** Runs kubectl with {@code stdin} as its standard input, e.g. {@code apply -f -}. */
    Command.Result runWithInput(String stdin, String... arguments) {
        return Command.run(workingDirectory, Map.of(), TIMEOUT, stdin, command(List.of(arguments)));
    }

    /** The command line of kubectl with these arguments, for a process the caller runs itself. */
    List<String> command(List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add("--kubeconfig=" + kubeconfig);
        command.addAll(arguments);
        return command;
    }

    /** Runs kubectl and returns its standard output; fails with everything it printed otherwise. */
    String ok(String... arguments) {
        return run(arguments).orThrow().stdout();
    }

    /** {@code kubectl apply -f -} of the given manifests; fails when kubectl refuses them. */
    String apply(String manifests) {
        return runWithInput(manifests, "apply", "-f", "-").orThrow().stdout();
    }

    /** {@code kubectl auth can-i}: true for "yes", false for "no", an exception for anything else. */
    boolean canI(String... arguments) {
        List<String> command = new ArrayList<>(List.of("auth", "can-i"));
        command.addAll(List.of(arguments));
        Command.Result result = run(command.toArray(String[]::new));
        String answer = result.stdout().trim();
        if (answer.equals("yes") || answer.equals("no")) {
            return answer.equals("yes");
        }
        throw new IllegalStateException(result.describe());
    }
}
