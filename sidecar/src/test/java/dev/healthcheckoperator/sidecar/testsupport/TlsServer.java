package dev.healthcheckoperator.sidecar.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManager;

/**
 * A server on 127.0.0.1 for the TLS probe's tests: one that completes handshakes with a given certificate chain,
 * optionally only with clients presenting a certificate of a given CA (mutual TLS), one that accepts TCP and never
 * says a word, or one that answers a ClientHello with plain text.
 */
public final class TlsServer implements AutoCloseable {

    private final ServerSocket socket;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    private TlsServer(ServerSocket socket, Mode mode) {
        this.socket = socket;
        Thread thread = new Thread(() -> serve(mode), "tls-server");
        thread.setDaemon(true);
        thread.start();
    }

    private enum Mode { HANDSHAKE, SILENT, GARBAGE }

    public static TlsServer serving(TestCertificates.Issued certificate) throws GeneralSecurityException, IOException {
        return new TlsServer(tlsSocket(certificate, null), Mode.HANDSHAKE);
    }

    /** Completes a handshake only with a client that presents a certificate {@code clientCa} issued. */
    public static TlsServer requiringClientCertificate(TestCertificates.Issued certificate, TestCertificates clientCa)
            throws GeneralSecurityException, IOException {
        SSLServerSocket server = tlsSocket(certificate, new TrustManager[] {clientCa.trustManager()});
        server.setNeedClientAuth(true);
        return new TlsServer(server, Mode.HANDSHAKE);
    }

    private static SSLServerSocket tlsSocket(TestCertificates.Issued certificate, TrustManager[] clientTrust)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", certificate.key(), new char[0], certificate.chain());
        // SunX509 hands out the one key it has, valid or not: an expired certificate is served as it is.
        KeyManagerFactory keys = KeyManagerFactory.getInstance("SunX509");
        keys.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), clientTrust, null);
        return (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
    }

    /** Accepts connections and holds them open without a byte. */
    public static TlsServer silent() throws IOException {
        return new TlsServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), Mode.SILENT);
    }

    /** Answers whatever it is sent with an HTTP response, as a plain-text server on a TLS port would. */
    public static TlsServer garbage() throws IOException {
        return new TlsServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), Mode.GARBAGE);
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void serve(Mode mode) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                client.setSoTimeout(30_000);
                switch (mode) {
                    case SILENT -> held.add(client);
                    case GARBAGE -> {
                        client.getInputStream().read(new byte[512]);
                        OutputStream out = client.getOutputStream();
                        out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        client.close();
                    }
                    default -> new Thread(() -> handshake(client), "tls-handshake").start();
                }
            } catch (SocketException closed) {
                return;
            } catch (IOException ignored) {
                // keep serving
            }
        }
    }

    private static void handshake(Socket client) {
        try (client) {
            ((javax.net.ssl.SSLSocket) client).startHandshake();
            client.getInputStream().read(); // until the probe closes
        } catch (IOException ignored) {
            // the probe refused the certificate, or closed: both expected
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket client : held) {
            client.close();
        }
    }
}
