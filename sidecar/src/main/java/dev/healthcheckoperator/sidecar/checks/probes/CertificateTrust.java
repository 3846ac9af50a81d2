package dev.healthcheckoperator.sidecar.checks.probes;

import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.KeyStoreException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Where the tlsCertificate probe gets the CAs it trusts and the identity it presents: the one place it asks, once per
 * handshake, so that a CA bundle or a client certificate (read from mounted files, which are replaced when their
 * Secret rotates) stands in for the system trust without the probe changing.
 */
public interface CertificateTrust {

    /** Verifies the server's chain; the probe adds the host name check through the engine's parameters. */
    X509ExtendedTrustManager trustManager();

    /** The client certificate to present, or null for none. */
    default KeyManager[] keyManagers() {
        return null;
    }

    /** The JVM's default trust store (the image's CA certificates), no client certificate. */
    static CertificateTrust systemTrust() {
        return SystemTrust.INSTANCE;
    }

    /** Loaded once: the default trust store does not change while the sidecar runs. */
    final class SystemTrust implements CertificateTrust {
        static final SystemTrust INSTANCE = new SystemTrust();
        private volatile X509ExtendedTrustManager trustManager;

        private SystemTrust() {
        }

        @Override
        public X509ExtendedTrustManager trustManager() {
            X509ExtendedTrustManager loaded = trustManager;
            if (loaded == null) {
                loaded = load();
                trustManager = loaded;
            }
            return loaded;
        }

        private static X509ExtendedTrustManager load() {
            try {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(
                        TrustManagerFactory.getDefaultAlgorithm());
                factory.init((KeyStore) null);
                for (TrustManager manager : factory.getTrustManagers()) {
                    if (manager instanceof X509ExtendedTrustManager x509) {
                        return x509;
                    }
                }
                throw new IllegalStateException("the default trust manager factory has no X.509 trust manager");
            } catch (NoSuchAlgorithmException | KeyStoreException e) {
                throw new IllegalStateException("cannot load the system trust store: " + e.getMessage(), e);
            }
        }
    }
}
