package dev.healthcheckoperator.sidecar.testsupport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;

/**
 * A DNS server on 127.0.0.1 that answers every query with NXDOMAIN, so a test can show a real name
 * resolution failure without asking any outside resolver.
 */
public final class NxDomainDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final Thread thread;

    public NxDomainDnsServer() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "nxdomain-dns");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                socket.receive(query);
                byte[] answer = java.util.Arrays.copyOf(query.getData(), query.getLength());
                answer[2] = (byte) 0x81; // QR=1 (response), RD=1
                answer[3] = (byte) 0x83; // RA=1, RCODE=3 (NXDOMAIN)
                for (int i = 6; i < 12; i++) {
                    answer[i] = 0; // no answer, authority or additional records
                }
                socket.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
            } catch (SocketException closed) {
                return;
            } catch (IOException ignored) {
                // keep serving
            }
        }
    }

    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() {
        socket.close();
    }
}
