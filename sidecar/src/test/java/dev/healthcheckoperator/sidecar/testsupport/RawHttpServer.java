package dev.healthcheckoperator.sidecar.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 server on 127.0.0.1 written on plain sockets, so that it can misbehave in ways a real server
 * will not: trickle its headers or body, stream forever, announce megabytes, close a kept-alive connection
 * when the next request arrives. It counts connections, requests, and connections the client closed on it.
 */
public final class RawHttpServer implements AutoCloseable {

    /** What the server does with one request on a connection; return false to close the connection. */
    @FunctionalInterface
    public interface Behaviour {
        boolean answer(Request request, OutputStream out, Connection connection) throws IOException, InterruptedException;
    }

    /** The head of one request: the request line and header lines, as they arrived. */
    public record Request(String requestLine, List<String> headerLines) {
        public String path() {
            return requestLine.split(" ")[1];
        }

        /** Every value of a header, in arrival order (a duplicate shows as two entries). */
        public List<String> values(String name) {
            List<String> values = new ArrayList<>();
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    values.add(line.substring(colon + 1).trim());
                }
            }
            return values;
        }
    }

    /** One accepted connection: how many requests it has served so far. */
    public static final class Connection {
        public int served;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Behaviour behaviour;
    public final AtomicInteger connections = new AtomicInteger();
    public final AtomicInteger requests = new AtomicInteger();
    /** Connections on which a read or write failed or ended because the client went away. */
    public final AtomicInteger closedByClient = new AtomicInteger();
    public final Queue<Request> received = new ConcurrentLinkedQueue<>();

    public RawHttpServer(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                threads.execute(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        Connection connection = new Connection();
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            while (true) {
                Request request = readHead(in);
                if (request == null) {
                    closedByClient.incrementAndGet();
                    return;
                }
                requests.incrementAndGet();
                received.add(request);
                boolean keepOpen = behaviour.answer(request, out, connection);
                out.flush();
                connection.served++;
                if (!keepOpen) {
                    return;
                }
            }
        } catch (SocketException e) {
            if (!server.isClosed()) {
                closedByClient.incrementAndGet();
            }
        } catch (IOException e) {
            closedByClient.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The request head, or null when the client closed the connection before sending one. */
    private static Request readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (b == '\n' && previous == '\r') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                text = text.substring(0, text.length() - 1);
                if (text.isEmpty()) {
                    return new Request(lines.get(0), List.copyOf(lines.subList(1, lines.size())));
                }
                lines.add(text);
                line.reset();
            } else {
                line.write(b);
            }
            previous = b;
        }
    }

    /** A complete response with a Content-Length (keeps the connection open for the next request). */
    public static void respond(OutputStream out, int status, String extraHeaders, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                + "\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    /**
     * Issue 10's trickle: headers announcing a small body, then one byte every 0.3 s on a connection kept open,
     * for a minute. Throws once the client has closed the connection.
     */
    public static void trickleBody(OutputStream out) throws IOException, InterruptedException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        for (int i = 0; i < 200; i++) {
            Thread.sleep(300);
            out.write(' ');
            out.flush();
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
