package dev.healthcheckoperator.sidecar.checks.probes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.TlsCertificateAction;
import dev.healthcheckoperator.sidecar.checks.spec.TlsOptions;
import dev.healthcheckoperator.sidecar.testsupport.MountedSecretDir;
import dev.healthcheckoperator.sidecar.testsupport.Ports;
import dev.healthcheckoperator.sidecar.testsupport.Probing;
import dev.healthcheckoperator.sidecar.testsupport.TestCertificates;
import dev.healthcheckoperator.sidecar.testsupport.TlsServer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tlsCertificate probe against local TLS servers with certificates this test makes: valid, expiring in 3 days,
 * expired, for another name, from a CA nobody trusts, one that requires a client certificate; and peers that never
 * speak TLS or speak something else. The test CA is trusted through a CA bundle in a mounted file (tls.caFile), the
 * client certificate comes from a mounted kubernetes.io/tls Secret, as the operator lays them out.
 */
class TlsCertificateProbeTest {

    /** Generous: the first handshakes of a JVM on a busy machine take seconds. */
    private static final long TIMEOUT_MS = 15_000;
    private static final long SHORT_TIMEOUT_MS = 1500;
    private static final String NAME = "shop.test";
    private static Vertx vertx;
    private static TestCertificates ca;
    private static TlsOptions trustsTheTestCa;
    private static TestCertificates clientCa;
    private static TlsServer mutual;
    private static MountedSecretDir clientSecret;
    @TempDir
    static Path mounts;
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
        MountedSecretDir bundle = new MountedSecretDir(Files.createDirectory(mounts.resolve("ca")),
                Map.of("ca.crt", ca.certificatePem()));
        trustsTheTestCa = new TlsOptions(bundle.file("ca.crt").toString(), null, null, null, null);
        clientCa = new TestCertificates("client-ca");
        TestCertificates.Issued client = clientCa.client("sidecar");
        clientSecret = new MountedSecretDir(Files.createDirectory(mounts.resolve("client")),
                Map.of("tls.crt", client.certificatePem(), "tls.key", client.keyPem()));
        mutual = TlsServer.requiringClientCertificate(ca.serverValidFor(NAME, Duration.ofDays(90)), clientCa);
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
        for (TlsServer server : new TlsServer[] {valid, expiring, expired, wrongName, untrusted, mutual}) {
            server.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Trusting the test CA through its bundle; insecure skips verification (and so gives no bundle). */
    private static TlsCertificateAction action(TlsServer server, Integer expiresWithinDays, Boolean insecure) {
        return new TlsCertificateAction("127.0.0.1", server.port(), NAME, expiresWithinDays, insecure,
                Boolean.TRUE.equals(insecure) ? null : trustsTheTestCa);
    }

    private static ProbeOutcome probe(TlsCertificateAction action) throws Exception {
        return probe(new TlsCertificateProbe(vertx, action, Clock.systemUTC()), TIMEOUT_MS);
    }

    private static ProbeOutcome probe(TlsCertificateProbe probe, long timeoutMillis) throws Exception {
        return Probing.once(vertx, probe, timeoutMillis);
    }

    @Test
    void aTrustedCertificateForTheNamePassesAndItsExpiryIsExported() throws Exception {
        TlsCertificateProbe probe = new TlsCertificateProbe(vertx, action(valid, null, null), Clock.systemUTC());
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
    void withoutTheCaBundleTheSystemTrustDoesNotKnowTheTestCa() throws Exception {
        ProbeOutcome outcome = probe(new TlsCertificateAction("127.0.0.1", valid.port(), NAME, null, null));
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.TlsError);
        assertThat(outcome.message()).startsWith("the certificate chain of 127.0.0.1:" + valid.port()
                + " is not trusted");
    }

    @Test
    void theServerNameOfTheTlsOptionsIsTheOneVerified() throws Exception {
        TlsOptions named = new TlsOptions(trustsTheTestCa.caFile(), null, null, NAME, null);
        ProbeOutcome outcome = probe(new TlsCertificateAction("127.0.0.1", valid.port(), null, null, null, named));
        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        assertThat(outcome.message()).startsWith("trusted certificate for shop.test ");
        ProbeOutcome other = probe(new TlsCertificateAction("127.0.0.1", valid.port(), null, null, null,
                new TlsOptions(trustsTheTestCa.caFile(), null, null, "other.test", null)));
        assertThat(other.reason()).as(other.toString()).isEqualTo(FailureReason.TlsError);
        assertThat(other.message()).startsWith("the certificate does not name other.test");
    }

    @Test
    void aServerRequiringAClientCertificatePassesWithItAndFailsWithout() throws Exception {
        TlsOptions withCertificate = new TlsOptions(trustsTheTestCa.caFile(), clientSecret.file("tls.crt").toString(),
                clientSecret.file("tls.key").toString(), null, null);
        ProbeOutcome passed = probe(new TlsCertificateAction("127.0.0.1", mutual.port(), NAME, null, null,
                withCertificate));
        assertThat(passed.success()).as(passed.toString()).isTrue();

        ProbeOutcome refused = probe(new TlsCertificateAction("127.0.0.1", mutual.port(), NAME, null, null,
                trustsTheTestCa));
        assertThat(refused.reason()).as(refused.toString()).isEqualTo(FailureReason.TlsError);
        assertThat(refused.message()).startsWith("127.0.0.1:" + mutual.port() + " requires a client certificate "
                + "and the check presents none");

        // A certificate of a CA the server does not trust is refused too.
        TestCertificates.Issued stranger = new TestCertificates("stranger-client-ca").client("sidecar");
        MountedSecretDir strangerSecret = new MountedSecretDir(Files.createDirectory(mounts.resolve("stranger")),
                Map.of("tls.crt", stranger.certificatePem(), "tls.key", stranger.keyPem()));
        ProbeOutcome strangerOutcome = probe(new TlsCertificateAction("127.0.0.1", mutual.port(), NAME, null, null,
                new TlsOptions(trustsTheTestCa.caFile(), strangerSecret.file("tls.crt").toString(),
                        strangerSecret.file("tls.key").toString(), null, null)));
        assertThat(strangerOutcome.reason()).as(strangerOutcome.toString()).isEqualTo(FailureReason.TlsError);
    }

    @Test
    void aRotatedCaBundleIsUsedByTheNextProbe() throws Exception {
        MountedSecretDir bundle = new MountedSecretDir(Files.createDirectory(mounts.resolve("rotating")),
                Map.of("ca.crt", new TestCertificates("old-ca").certificatePem()));
        TlsCertificateProbe probe = new TlsCertificateProbe(vertx, new TlsCertificateAction("127.0.0.1",
                valid.port(), NAME, null, null, new TlsOptions(bundle.file("ca.crt").toString(), null, null, null,
                        null)), Clock.systemUTC());
        ProbeOutcome before = probe(probe, TIMEOUT_MS);
        assertThat(before.reason()).as(before.toString()).isEqualTo(FailureReason.TlsError);
        bundle.update(Map.of("ca.crt", ca.certificatePem()));
        ProbeOutcome after = probe(probe, TIMEOUT_MS);
        assertThat(after.success()).as(after.toString()).isTrue();
    }

    @Test
    void anUnusableCaBundleFileIsSecretUnreadableNamingIt() throws Exception {
        Path empty = Files.createFile(mounts.resolve("empty-ca.crt"));
        ProbeOutcome outcome = probe(new TlsCertificateAction("127.0.0.1", valid.port(), NAME, null, null,
                new TlsOptions(empty.toString(), null, null, null, null)));
        assertThat(outcome.reason()).as(outcome.toString()).isEqualTo(FailureReason.SecretUnreadable);
        assertThat(outcome.message()).isEqualTo("CA bundle file " + empty + " is empty");
    }

    @Test
    void aPeerThatNeverSpeaksTlsTimesOutAtTheDeadline() throws Exception {
        try (TlsServer silent = TlsServer.silent()) {
            TlsCertificateProbe probe = new TlsCertificateProbe(vertx, action(silent, null, null), Clock.systemUTC());
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
        ProbeOutcome outcome = probe(new TlsCertificateAction("127.0.0.1", Ports.closedPort(), null, null, null,
                trustsTheTestCa));
        assertThat(outcome.reason()).isEqualTo(FailureReason.ConnectionRefused);
    }
}
