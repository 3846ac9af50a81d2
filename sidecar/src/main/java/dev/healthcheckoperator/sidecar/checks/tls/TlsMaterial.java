package dev.healthcheckoperator.sidecar.checks.tls;

import dev.healthcheckoperator.sidecar.checks.spec.TlsOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.HexFormat;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS settings of one check turned into what Vert.x (and Netty under it) connects with: the trusted CA bundle
 * (or the JVM's trust store), the client certificate and key for mutual TLS, whether the server's name is verified,
 * and the name sent as SNI. One factory for every check kind that speaks TLS: as Vert.x client options for the
 * HTTP and gRPC clients, or as the JDK trust and key managers for a probe that runs its own handshake.
 *
 * <p>The files are read by {@link #load}, which blocks (run it on a worker thread); the {@link #fingerprint()} of
 * what was read tells a probe whether a rotated Secret changed anything, so that it builds a new client only then.
 */
public final class TlsMaterial {

    /** A CA bundle may be a whole system bundle (about 200 KiB); 1 MiB is far beyond any real one. */
    public static final int MAX_CA_BUNDLE_BYTES = 1024 * 1024;
    /** A certificate chain or a private key. */
    public static final int MAX_KEY_MATERIAL_BYTES = 64 * 1024;

    private final TlsOptions options;
    private final Buffer caBundle;
    private final Buffer certificate;
    private final Buffer key;
    private final String fingerprint;

    private TlsMaterial(TlsOptions options, byte[] caBundle, byte[] certificate, byte[] key) {
        this.options = options;
        this.caBundle = caBundle == null ? null : Buffer.buffer(caBundle);
        this.certificate = certificate == null ? null : Buffer.buffer(certificate);
        this.key = key == null ? null : Buffer.buffer(key);
        this.fingerprint = digest(caBundle, certificate, key);
    }

    /** Settings that name no file: built at once, on any thread. */
    public static TlsMaterial withoutFiles(TlsOptions options) {
        if (options.readsFiles()) {
            throw new IllegalArgumentException("these TLS options name files: load them");
        }
        return new TlsMaterial(options, null, null, null);
    }

    /**
     * Reads and checks the files {@code options} names. Blocks. Throws {@link MountedFile.UnreadableException}
     * naming the file when one is missing, empty, too large or holds no PEM of the expected kind.
     */
    public static TlsMaterial load(TlsOptions options) {
        byte[] ca = null;
        if (options.caFile() != null) {
            ca = MountedFile.read(options.caFile(), "CA bundle", MAX_CA_BUNDLE_BYTES);
            requireCertificates(options.caFile(), "CA bundle", ca);
        }
        byte[] cert = null;
        byte[] key = null;
        if (options.certFile() != null) {
            cert = MountedFile.read(options.certFile(), "client certificate", MAX_KEY_MATERIAL_BYTES);
            requireCertificates(options.certFile(), "client certificate", cert);
            key = MountedFile.read(options.keyFile(), "client key", MAX_KEY_MATERIAL_BYTES);
            String text = new String(key, StandardCharsets.US_ASCII);
            if (!text.contains("-----BEGIN ") || !text.contains("PRIVATE KEY-----")) {
                throw new MountedFile.UnreadableException("client key file " + options.keyFile()
                        + " holds no PEM private key");
            }
        }
        return new TlsMaterial(options, ca, cert, key);
    }

    private static void requireCertificates(String path, String what, byte[] pem) {
        try {
            if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).isEmpty()) {
                throw new MountedFile.UnreadableException(what + " file " + path + " holds no PEM certificate");
            }
        } catch (CertificateException e) {
            throw new MountedFile.UnreadableException(what + " file " + path + " holds no valid PEM certificate");
        }
    }

    /** Changes exactly when the content of a file changes. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The name the server's certificate must carry and that is sent as SNI; null for the host connected to. */
    public String serverName() {
        return options.serverName();
    }

    /**
     * Turns TLS on in {@code client} with these settings: trust (the bundle, or the JVM's trust store, or none when
     * verification is skipped), the client certificate, and verification of the server's name.
     */
    public <T extends ClientOptionsBase> T applyTo(T client) {
        client.setSsl(true);
        boolean skip = options.skipsVerify();
        client.setTrustAll(skip);
        if (caBundle != null) {
            client.setTrustOptions(trustOptions());
        }
        if (certificate != null) {
            client.setKeyCertOptions(keyCertOptions());
        }
        if (client instanceof HttpClientOptions http) {
            http.setVerifyHost(!skip);
            http.setForceSni(options.serverName() != null);
        } else if (client instanceof NetClientOptions net) {
            net.setHostnameVerificationAlgorithm(skip ? "" : "HTTPS");
        }
        return client;
    }

    /**
     * The trust manager that verifies a server's chain (not its name: the caller's engine parameters add that): the
     * CA bundle's, or the JVM's default trust store without one.
     */
    public X509ExtendedTrustManager trustManager(Vertx vertx) throws Exception {
        TrustManagerFactory factory;
        if (caBundle != null) {
            factory = trustOptions().getTrustManagerFactory(vertx);
        } else {
            factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
        }
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("the trust manager factory has no X.509 trust manager");
    }

    /** The client certificate to present for mutual TLS, or null without one. */
    public KeyManager[] keyManagers(Vertx vertx) throws Exception {
        return certificate == null ? null : keyCertOptions().getKeyManagerFactory(vertx).getKeyManagers();
    }

    private PemTrustOptions trustOptions() {
        return new PemTrustOptions().addCertValue(caBundle);
    }

    private PemKeyCertOptions keyCertOptions() {
        return new PemKeyCertOptions().setCertValue(certificate).setKeyValue(key);
    }

    private static String digest(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                int length = part == null ? -1 : part.length;
                sha.update(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8),
                    (byte) length});
                if (part != null) {
                    sha.update(part);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
