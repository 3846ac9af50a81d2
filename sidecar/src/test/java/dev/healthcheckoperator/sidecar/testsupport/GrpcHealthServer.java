package dev.healthcheckoperator.sidecar.testsupport;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;

/** grpc-java's own grpc.health.v1 implementation on a local port: the server our probe must understand. */
public final class GrpcHealthServer implements AutoCloseable {

    private final HealthStatusManager health = new HealthStatusManager();
    private final Server server;

    public GrpcHealthServer() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(health.getHealthService()).build().start();
    }

    public int port() {
        return server.getPort();
    }

    public void set(String service, ServingStatus status) {
        health.setStatus(service, status);
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
