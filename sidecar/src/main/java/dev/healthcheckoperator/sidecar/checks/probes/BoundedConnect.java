package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A TCP connection opened under a probe's deadline, for the probes that speak on a bare channel (tcpSocket,
 * tlsCertificate).
 *
 * <p>Vert.x' NetClient takes its connect timeout from options fixed when the client is made and cannot abort a
 * connect in flight, so a slow name lookup would leave the connect its full timeout after the deadline. Here the
 * name is resolved first, the connect gets exactly the time left, and the deadline closes the channel, which drops
 * a half-open socket (or a connection in the middle of a handshake) at once.
 */
final class BoundedConnect {

    /** Thrown into the chain when the name resolved after the deadline: its outcome is never seen. */
    static final ProbeOutcome LATE = ProbeOutcome.failure(FailureReason.Timeout, "resolved after the deadline");

    private BoundedConnect() {
    }

    /**
     * Resolves {@code host}, then connects to it with {@code handler} in the pipeline; the future completes with
     * the connected channel, which the deadline closes if it is still open then.
     */
    static Future<Channel> open(VertxInternal vertx, ContextInternal context, String host, int port,
            ProbeDeadline deadline, ChannelHandler handler) {
        Promise<InetAddress> resolved = context.promise();
        deadline.phase("resolving " + host);
        // A lookup cannot be withdrawn from the shared resolver (its own query timeout ends it); a lookup that
        // answers after the deadline starts no connect, so the probe itself ends at the deadline.
        vertx.resolveAddress(host, resolved);
        return resolved.future().compose(address -> connect(vertx, context, new InetSocketAddress(address, port),
                deadline, handler));
    }

    private static Future<Channel> connect(VertxInternal vertx, ContextInternal context, InetSocketAddress address,
            ProbeDeadline deadline, ChannelHandler handler) {
        if (deadline.cancelled()) {
            return Future.failedFuture(new LateException());
        }
        deadline.phase("connecting");
        ChannelFuture connecting = new Bootstrap()
                .group(context.nettyEventLoop())
                .channelFactory(vertx.transport().channelFactory(false))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        deadline.remainingMillis()))
                .handler(handler)
                .connect(address);
        deadline.onCancel(() -> connecting.channel().close());
        Promise<Channel> connected = context.promise();
        connecting.addListener(done -> {
            if (done.isSuccess()) {
                connected.tryComplete(connecting.channel());
            } else {
                connected.tryFail(done.cause());
            }
        });
        return connected.future();
    }

    /** The name resolved after the deadline had answered: nothing was connected. */
    static final class LateException extends RuntimeException {
        LateException() {
            super("resolved after the deadline", null, false, false);
        }
    }
}
