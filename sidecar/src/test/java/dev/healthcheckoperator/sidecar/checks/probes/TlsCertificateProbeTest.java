package dev.healthcheckoperator.sidecar.checks.probes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.TlsCertificateAction;
import dev.healthcheckoperator.sidecar.testsupport.Ports;
import dev.healthcheckoperator.sidecar.testsupport.Probing;
import dev.healthcheckoperator.sidecar.testsupport.TestCertificates;
import dev.healthcheckoperator.sidecar.testsupport.TlsServer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tlsCertificate probe against local TLS servers with certificates this test makes: valid, expiring in 3 days,
 * expired, for another name, from a CA nobody trusts; and peers that never speak TLS or speak something else.
 */
class TlsCertificateProbeTest {

    /** Generous: the first handshakes of a JVM on a busy machine take seconds. */
    private static final long TIMEOUT_MS = 15_000;
    private static final long SHORT_TIMEOUT_MS = 1500;
    private static final String NAME = "shop.test";
    private static Vertx vertx;
    private static TestCertificates ca;
    private static CertificateTrust trustsTheTestCa;
    private static TlsServer valid;
    private static TlsServer expiring;
    private static TlsServer expired;
    private static TlsServer wrongName;
    private static TlsServer untrusted;
    private static TestCertificates.Issued validCertificate;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        ca = new TestCertificates("test-ca");
        X509ExtendedTrustManager trust = ca.trustManager();
        trustsTheTestCa = () -> trust;
        validCertificate = ca.serverValidFor(NAME, Duration.ofDays(90));
        valid = TlsServer.serving(validCertificate);
        expiring = TlsServer.serving(ca.serverValidFor(NAME, Duration.ofDays(3)));
        expired = TlsServer.serving(ca.server(NAME, java.time.Instant.now().minus(Duration.ofDays(30)),
                java.time.Instant.now().minus(Duration.ofDays(1))));
        wrongName = TlsServer.serving(ca.serverValidFor("other.test", Duration.ofDays(90)));
        untrusted = TlsServer.serving(new TestCertificates("stranger-ca").serverValidFor(NAME, Duration.ofDays(90)));
    }

    @AfterAll
    static void stop() throws Exception {
        for (TlsServer server : new TlsServer[] {valid, expiring, expired, wrongName, untrusted}) {
            server.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static TlsCertificateAction action(TlsServer server, Integer expiresWithinDays, Boolean insecure) {
        return new TlsCertificateAction("127.0.0.1", server.port(), NAME, expiresWithinDays, insecure);
    }

    private static ProbeOutcome probe(TlsCertificateAction action) throws Exception {
        return probe(new TlsCertificateProbe(vertx, action, trustsTheTestCa, Clock.systemUTC()), TIMEOUT_MS);
    }

    private static ProbeOutcome probe(TlsCertificateProbe probe, long timeoutMillis) throws Exception {
        return Probing.once(vertx, probe, timeoutMillis);
    }

    @Test
    void aTrustedCertificateForTheNamePassesAndItsExpiryIsExported() throws Exception {
        TlsCertificateProbe probe = new TlsCertificateProbe(vertx, action(valid, null, null), trustsTheTestCa,
                Clock.systemUTC());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        probe.registerMeters(registry, Tags.of("check", "shop-cert"));
        assertThat(exported(registry)).isNaN();

        ProbeOutcome outcome = probe(probe, TIMEOUT_MS);

        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        assertThat(outcome.message()).startsWith("trusted certificate for shop.test valid until ");
        long notAfter = validCertificate.leaf().getNotAfter().toInstant().getEpochSecond();
        assertThat(probe.leafNotAfterSeconds()).isEqualTo((double) notAfter);
        assertThat(exported(registry)).isEqualTo((double) notAfter);
    }

    /** The gauge's value as Prometheus scrapes it. */
    private static double exported(PrometheusMeterRegistry registry) {
        Matcher sample = Pattern.compile("(?m)^sidecar_check_certificate_expiry_timestamp_seconds\\{check=\"shop-cert\",?} (\\S+)$")
                .matcher(registry.scrape());
        assertThat(sample.find()).as(registry.scrape()).isTrue();
        return Double.parseDouble(sample.group(1));
    }

    @Test
    void aCertificateExpiringWithinTheDaysIsCertificateExpiring() throws Exception {
        ProbeOutcome outcome = probe(action(expiring, null, null));
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.CertificateExpiring);
        assertThat(outcome.message()).startsWith("the certificate for shop.test expires at ").endsWith("within 14 days");
        assertThat(probe(action(expiring, 2, null)).success()).isTrue();
    }

    @Test
    void anExpiredCertificateIsCertificateExpiredWithOrWithoutVerification() throws Exception {
        ProbeOutcome verified = probe(action(expired, null, null));
        assertThat(verified.reason()).as(verified.toString()).isEqualTo(FailureReason.CertificateExpired);
        assertThat(verified.message()).startsWith("the certificate for shop.test expired at ");
        assertThat(probe(action(expired, null, true)).reason()).isEqualTo(FailureReason.CertificateExpired);
    }

    @Test
    void aCertificateForAnotherNameIsATlsErrorSayingSo() throws Exception {
        ProbeOutcome outcome = probe(action(wrongName, null, null));
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.TlsError);
        assertThat(outcome.message()).startsWith("the certificate does not name shop.test");
        assertThat(probe(action(wrongName, null, true)).success()).as("insecureSkipTlsVerify judges expiry only")
                .isTrue();
    }

    @Test
    void aCertificateFromAnUnknownCaIsATlsErrorSayingSo() throws Exception {
        ProbeOutcome outcome = probe(action(untrusted, null, null));
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.TlsError);
        assertThat(outcome.message()).startsWith("the certificate chain of 127.0.0.1:" + untrusted.port()
                + " is not trusted");
        assertThat(probe(action(untrusted, null, true)).success()).isTrue();
    }

    @Test
    void theSystemTrustDoesNotKnowTheTestCa() throws Exception {
        ProbeOutcome outcome = probe(new TlsCertificateProbe(vertx, action(valid, null, null),
                CertificateTrust.systemTrust(), Clock.systemUTC()), TIMEOUT_MS);
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.TlsError);
        assertThat(outcome.message()).contains("is not trusted");
    }

    @Test
    void aPeerThatNeverSpeaksTlsTimesOutAtTheDeadline() throws Exception {
        try (TlsServer silent = TlsServer.silent()) {
            TlsCertificateProbe probe = new TlsCertificateProbe(vertx, action(silent, null, null), trustsTheTestCa,
                    Clock.systemUTC());
            ProbeOutcome outcome = probe(probe, SHORT_TIMEOUT_MS);
            assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.Timeout);
            assertThat(outcome.message()).contains("TLS handshake with 127.0.0.1:" + silent.port());
            assertThat(probe.leafNotAfterSeconds()).isNaN();
        }
    }

    @Test
    void aPeerThatAnswersPlainTextIsATlsError() throws Exception {
        try (TlsServer garbage = TlsServer.garbage()) {
            ProbeOutcome outcome = probe(action(garbage, null, null));
            assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.TlsError);
        }
    }

    @Test
    void aClosedPortIsConnectionRefused() throws Exception {
        ProbeOutcome outcome = probe(new TlsCertificateProbe(vertx, new TlsCertificateAction("127.0.0.1",
                Ports.closedPort(), null, null, null), trustsTheTestCa, Clock.systemUTC()), TIMEOUT_MS);
        assertThat(outcome.reason()).isEqualTo(FailureReason.ConnectionRefused);
    }
}
