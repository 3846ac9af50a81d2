package dev.healthcheckoperator.operator.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw-socket peer on loopback that misbehaves the way a broken or hostile sidecar can: answers with headers and
 * then stalls, trickles a byte at a time, streams an endless body, or answers megabytes. It counts connections and
 * the bytes it managed to send, so a test can tell that the client gave up and hung up.
 */
public final class MisbehavingSidecar implements AutoCloseable {

    public enum Behaviour {
        /** Headers promising a body, one byte of it, then silence (the connection stays open). */
        STALL_AFTER_HEADERS,
        /** Headers, then one byte of body every 100 ms, forever. */
        TRICKLE,
        /** Headers without a length, then body bytes as fast as the client takes them, forever. */
        ENDLESS_BODY,
        /** A complete, well-formed 200 answer of 5 MB (a health report padded with a huge check message). */
        FIVE_MEGABYTES,
        /** Not misbehaving: a complete 503 "down" report, as a sidecar whose critical check fails sends it. */
        DOWN,
        /**
         * A complete 200 "ok" report, without {@code Connection: close} whatever the client asked for, and the
         * connection held open for the next request, until the client hangs up.
         */
        KEEPS_ALIVE
    }

    private static final byte[] FILLER = new byte[16 * 1024];

    static {
        Arrays.fill(FILLER, (byte) 'x');
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger closedByClient = new AtomicInteger();
    private final AtomicLong bytesSent = new AtomicLong();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public MisbehavingSidecar(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "misbehaving-sidecar-" + behaviour);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public int connections() {
        return connections.get();
    }

    /** Connections whose client hung up (a write failed or the read side saw the end) before the answer ended. */
    public int closedByClient() {
        return closedByClient.get();
    }

    public long bytesSent() {
        return bytesSent.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                open.add(socket);
                Thread handler = new Thread(() -> serve(socket), "misbehaving-sidecar-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            readRequestHead(in);
            OutputStream out = socket.getOutputStream();
            switch (behaviour) {
                case STALL_AFTER_HEADERS -> {
                    send(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
                    // Until the client hangs up: read() returns -1 (or fails) once it closes the connection.
                    awaitHangUp(socket.getInputStream());
                }
                case TRICKLE -> {
                    send(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
                    while (!closed) {
                        send(out, " ");
                        Thread.sleep(100);
                    }
                }
                case ENDLESS_BODY -> {
                    send(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
                    send(out, "{\"status\":\"ok\",\"checks\":[],\"padding\":\"");
                    while (!closed) {
                        out.write(FILLER);
                        bytesSent.addAndGet(FILLER.length);
                    }
                }
                case FIVE_MEGABYTES -> {
                    int size = 5 * 1024 * 1024;
                    String head = "{\"status\":\"ok\",\"checks\":[{\"name\":\"big\",\"status\":\"ok\",\"message\":\"";
                    String tail = "\"}]}";
                    int padding = size - head.length() - tail.length();
                    send(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + size
                            + "\r\n\r\n" + head);
                    for (int sent = 0; sent < padding; sent += FILLER.length) {
                        int length = Math.min(FILLER.length, padding - sent);
                        out.write(FILLER, 0, length);
                        bytesSent.addAndGet(length);
                    }
                    send(out, tail);
                    out.flush();
                    awaitHangUp(socket.getInputStream());
                }
                case DOWN -> {
                    String body = "{\"status\":\"down\",\"checks\":[{\"name\":\"db\",\"status\":\"failing\"}]}";
                    send(out, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: "
                            + body.length() + "\r\nConnection: close\r\n\r\n" + body);
                }
                case KEEPS_ALIVE -> {
                    String body = "{\"status\":\"ok\",\"checks\":[]}";
                    while (!closed) {
                        send(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                + body.length() + "\r\n\r\n" + body);
                        // Throws once the client hangs up instead of asking again: counted as closed by it.
                        readRequestHead(in);
                    }
                }
                default -> throw new IllegalStateException(behaviour.name());
            }
        } catch (IOException e) {
            if (!closed) {
                closedByClient.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
        }
    }

    private void awaitHangUp(InputStream in) throws IOException {
        while (!closed && in.read() >= 0) {
            // A client may pipeline nothing here; anything read is ignored.
        }
        if (!closed) {
            closedByClient.incrementAndGet();
        }
    }

    private void send(OutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        out.write(bytes);
        out.flush();
        bytesSent.addAndGet(bytes.length);
    }

    /** Reads up to the blank line that ends the request head. */
    private static void readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = { '\r', '\n', '\r', '\n' };
        int b;
        while ((b = in.read()) >= 0) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == end.length) {
                return;
            }
        }
        throw new IOException("the client closed before sending a request");
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
