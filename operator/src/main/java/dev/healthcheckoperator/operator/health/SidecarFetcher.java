package dev.healthcheckoperator.operator.health;

/** Reads one sidecar's /health; how the sidecar is reached depends on where the operator runs. */
public interface SidecarFetcher {

    SidecarResponse fetch(PollTarget target) throws Exception;

    /** The address polled, for messages. */
    String describe(PollTarget target);
}
