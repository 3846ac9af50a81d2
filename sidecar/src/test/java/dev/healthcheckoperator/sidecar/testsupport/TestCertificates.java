package dev.healthcheckoperator.sidecar.testsupport;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
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
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates a test makes: a CA of its own and server certificates it signs, valid for the times it asks. */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate with its key, and the chain a server presents (leaf first). */
    public record Issued(PrivateKey key, X509Certificate[] chain) {
        public X509Certificate leaf() {
            return chain[0];
        }
    }

    private final KeyPair caKeys;
    private final X509Certificate ca;

    public TestCertificates(String caName) throws GeneralSecurityException {
        caKeys = keyPair();
        Instant now = Instant.now();
        ca = sign(caKeys, new X500Name("CN=" + caName), caKeys.getPublic(), new X500Name("CN=" + caName),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)), null);
    }

    /** A server certificate for {@code dnsName}, valid from {@code notBefore} to {@code notAfter}. */
    public Issued server(String dnsName, Instant notBefore, Instant notAfter) throws GeneralSecurityException {
        KeyPair keys = keyPair();
        X509Certificate leaf = sign(caKeys, new X500Name(ca.getSubjectX500Principal().getName()), keys.getPublic(),
                new X500Name("CN=" + dnsName), notBefore, notAfter, dnsName);
        return new Issued(keys.getPrivate(), new X509Certificate[] {leaf, ca});
    }

    /** Valid from a day ago until {@code days} from now (whole seconds: a certificate holds no less). */
    public Issued serverValidFor(String dnsName, Duration fromNow) throws GeneralSecurityException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return server(dnsName, now.minus(Duration.ofDays(1)), now.plus(fromNow));
    }

    /** A trust manager that trusts this CA alone. */
    public X509ExtendedTrustManager trustManager() throws GeneralSecurityException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) {
                    return x509;
                }
            }
            throw new GeneralSecurityException("no X.509 trust manager");
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(KeyPair issuerKeys, X500Name issuer, java.security.PublicKey subjectKey,
            X500Name subject, Instant notBefore, Instant notAfter, String dnsName) throws GeneralSecurityException {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
                    subjectKey);
            if (dnsName == null) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
            }
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException | java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
