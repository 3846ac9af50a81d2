package dev.healthcheckoperator.operator.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback port where connecting hangs, as it does towards a pod behind a default-deny NetworkPolicy: a listener
 * that never accepts, with its accept queue filled, so the kernel drops further SYNs and a client's connect waits
 * for its own timeout. Loopback only; no other address is ever a target.
 */
public final class Blackhole implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Socket> fillers = new ArrayList<>();

    public Blackhole() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        // Connections complete into the accept queue until it is full; the first that times out shows it is.
        for (int i = 0; i < 8; i++) {
            Socket filler = new Socket();
            fillers.add(filler);
            try {
                filler.connect(address, 200);
            } catch (IOException e) {
                return;
            }
        }
        throw new IllegalStateException("the accept queue of port " + listener.getLocalPort() + " never filled");
    }

    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() {
        for (Socket filler : fillers) {
            try {
                filler.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
