package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.TcpSocketAction;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/** {@code tcpSocket}: the upstream accepts a connection, which is closed at once. */
public final class TcpSocketProbe implements Probe {

    private final TcpSocketAction action;
    private final NetClient client;

    public TcpSocketProbe(Vertx vertx, TcpSocketAction action, long timeoutMillis) {
        this.action = action;
        // The connect timeout is the whole deadline; a connection made after the deadline is closed all the same.
        this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) timeoutMillis));
    }

    @Override
    public Future<ProbeOutcome> run(ProbeDeadline deadline) {
        return client.connect(action.port(), action.host())
                .compose(socket -> socket.close().otherwiseEmpty())
                .map(v -> ProbeOutcome.success("connected"))
                .otherwise(ProbeOutcome::fromError);
    }

    @Override
    public void close() {
        client.close();
    }
}
