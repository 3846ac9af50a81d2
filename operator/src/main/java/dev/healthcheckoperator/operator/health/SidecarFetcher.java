package dev.healthcheckoperator.operator.health;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Reads one sidecar's /health; how the sidecar is reached depends on where the operator runs. */
public interface SidecarFetcher {

    /**
     * Starts the request and returns at once: the poller runs many polls from a few threads, so an implementation
     * must not wait for the network on the caller's thread. The body is read up to {@link BoundedBody#MAX_BYTES} and
     * the future then fails with {@link BoundedBody.BodyTooLargeException}. Cancelling the returned future aborts
     * the exchange, whatever phase it is in (connect, headers, body): that is how the poller's deadline cancels the
     * work rather than only stop waiting for it.
     *
     * @param timeout a hint for the transport's own timeouts; the poller enforces the total deadline itself
     */
    CompletableFuture<SidecarResponse> fetch(PollTarget target, Duration timeout);

    /** The address polled, for messages. */
    String describe(PollTarget target);
}
