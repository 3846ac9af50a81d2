package dev.healthcheckoperator.sidecar.testsupport;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemGenerationException;

/**
 * A certificate authority made for a test, and the server and client certificates it signs: as PEM (for files a
 * check reads) or as keys and chains (for a TLS server), valid for the times the test asks.
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate with its private key, signed by {@code ca}. */
    public record Issued(PrivateKey key, X509Certificate leaf, X509Certificate ca) {

        /** The chain a server presents, leaf first. */
        public X509Certificate[] chain() {
            return new X509Certificate[] {leaf, ca};
        }

        public String certificatePem() {
            return pem(leaf);
        }

        /** PKCS#8 ("PRIVATE KEY"), which every TLS stack reads, Netty's included. */
        public String keyPem() {
            try {
                return pem(new JcaPKCS8Generator(key, null));
            } catch (PemGenerationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    /** A new self-signed CA, valid from a day ago for ten years. */
    public TestCertificates(String caName) {
        this.name = new X500Name("CN=" + caName);
        this.keys = newKeys();
        Instant now = Instant.now();
        this.certificate = sign(keys, name, keys.getPublic(), name, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(3650)), true);
    }

    /** A new self-signed CA. */
    public static TestCertificates authority(String name) {
        return new TestCertificates(name);
    }

    public String certificatePem() {
        return pem(certificate);
    }

    /**
     * A server certificate for these DNS names (and no IP address, so that a name mismatch can be shown), valid
     * from an hour ago for 30 days.
     */
    public Issued server(String... dnsNames) {
        Instant now = Instant.now();
        return issue(dnsNames.length == 0 ? "server" : dnsNames[0], now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(30)), dnsNames);
    }

    /** A server certificate for {@code dnsName}, valid from {@code notBefore} to {@code notAfter}. */
    public Issued server(String dnsName, Instant notBefore, Instant notAfter) {
        return issue(dnsName, notBefore, notAfter, dnsName);
    }

    /** Valid from a day ago until {@code fromNow} from now (whole seconds: a certificate holds no less). */
    public Issued serverValidFor(String dnsName, Duration fromNow) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return server(dnsName, now.minus(Duration.ofDays(1)), now.plus(fromNow));
    }

    /** A client certificate for mutual TLS. */
    public Issued client(String commonName) {
        Instant now = Instant.now();
        return issue(commonName, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)));
    }

    /** A trust manager that trusts this CA alone. */
    public X509ExtendedTrustManager trustManager() throws GeneralSecurityException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", certificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) {
                    return x509;
                }
            }
            throw new GeneralSecurityException("no X.509 trust manager");
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private Issued issue(String commonName, Instant notBefore, Instant notAfter, String... dnsNames) {
        KeyPair leafKeys = newKeys();
        X509Certificate leaf = sign(keys, name, leafKeys.getPublic(), new X500Name("CN=" + commonName), notBefore,
                notAfter, false, dnsNames);
        return new Issued(leafKeys.getPrivate(), leaf, certificate);
    }

    private static X509Certificate sign(KeyPair issuerKeys, X500Name issuer, PublicKey subjectKey, X500Name subject,
            Instant notBefore, Instant notAfter, boolean authority, String... dnsNames) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
                    subjectKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
            if (authority) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            if (dnsNames.length > 0) {
                GeneralName[] names = new GeneralName[dnsNames.length];
                for (int i = 0; i < dnsNames.length; i++) {
                    names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
                }
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair newKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
