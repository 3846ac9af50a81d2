package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.TcpSocketAction;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;

/**
 * {@code tcpSocket}: the upstream accepts a connection, which is closed at once. The name is resolved and the
 * connect bounded by the deadline as {@link BoundedConnect} explains; nothing of the probe runs after it.
 */
public final class TcpSocketProbe implements Probe {

    private final VertxInternal vertx;
    private final TcpSocketAction action;

    public TcpSocketProbe(Vertx vertx, TcpSocketAction action) {
        this.vertx = (VertxInternal) vertx;
        this.action = action;
    }

    @Override
    public Future<ProbeOutcome> run(ProbeDeadline deadline) {
        ContextInternal context = vertx.getOrCreateContext();
        return BoundedConnect.open(vertx, context, action.host(), action.port(), deadline,
                        new ChannelInboundHandlerAdapter())
                .map(channel -> {
                    channel.close();
                    return ProbeOutcome.success("connected");
                })
                .otherwise(error -> error instanceof BoundedConnect.LateException ? BoundedConnect.LATE
                        : ProbeOutcome.fromError(error));
    }

    @Override
    public void close() {
        // Nothing is pooled: each probe's channel is closed when the probe ends or at its deadline.
    }
}
