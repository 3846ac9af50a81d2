package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.TcpSocketAction;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * {@code tcpSocket}: the upstream accepts a connection, which is closed at once.
 *
 * <p>Vert.x' NetClient takes its connect timeout from options fixed when the client is made and cannot abort a
 * connect in flight, so a slow name lookup would leave the connect its full timeout after the deadline. Here the
 * name is resolved first, the connect gets exactly the time left, and the deadline closes the connecting channel,
 * which drops the half-open socket at once; nothing of the probe runs after its deadline.
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
        Promise<InetAddress> resolved = context.promise();
        deadline.phase("resolving " + action.host());
        // A lookup cannot be withdrawn from the shared resolver (its own query timeout ends it); a lookup that
        // answers after the deadline starts no connect, so the probe itself ends at the deadline.
        vertx.resolveAddress(action.host(), resolved);
        return resolved.future()
                .compose(address -> connect(context, address, deadline))
                .otherwise(ProbeOutcome::fromError);
    }

    private Future<ProbeOutcome> connect(ContextInternal context, InetAddress address, ProbeDeadline deadline) {
        if (deadline.cancelled()) {
            // The deadline has already answered Timeout; this outcome is never seen.
            return Future.succeededFuture(ProbeOutcome.failure(FailureReason.Timeout, "resolved after the deadline"));
        }
        deadline.phase("connecting");
        ChannelFuture connecting = new Bootstrap()
                .group(context.nettyEventLoop())
                .channelFactory(vertx.transport().channelFactory(false))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        deadline.remainingMillis()))
                .handler(new ChannelInboundHandlerAdapter())
                .connect(new InetSocketAddress(address, action.port()));
        deadline.onCancel(() -> connecting.channel().close());
        Promise<ProbeOutcome> outcome = context.promise();
        connecting.addListener(done -> {
            if (done.isSuccess()) {
                connecting.channel().close();
                outcome.tryComplete(ProbeOutcome.success("connected"));
            } else {
                outcome.tryFail(done.cause());
            }
        });
        return outcome.future();
    }

    @Override
    public void close() {
        // Nothing is pooled: each probe's channel is closed when the probe ends or at its deadline.
    }
}
