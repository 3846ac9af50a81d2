package dev.healthcheckoperator.sidecar.checks.probes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.GrpcAction;
import dev.healthcheckoperator.sidecar.checks.spec.HttpGetAction;
import dev.healthcheckoperator.sidecar.checks.spec.TlsOptions;
import dev.healthcheckoperator.sidecar.testsupport.MountedSecretDir;
import dev.healthcheckoperator.sidecar.testsupport.Probing;
import dev.healthcheckoperator.sidecar.testsupport.TestCertificates;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * httpGet and grpc over TLS against local servers with certificates made here: a CA bundle from a mounted file,
 * the server name to verify, a client certificate for a server that requires one, and a rotated bundle picked up by
 * the same probe. The server certificates name only {@value #SERVER_NAME}, never 127.0.0.1, so connecting to the
 * address without the server name must fail verification.
 */
class TlsProbesTest {

    private static final long TIMEOUT_MS = 10_000;
    private static final String SERVER_NAME = "upstream.test";
    private static Vertx vertx;
    private static TestCertificates serverCa;
    private static TestCertificates clientCa;
    private static TestCertificates.Issued client;
    private static HttpServer https;
    private static HttpServer mutualTls;
    private static Server grpcTls;

    @TempDir
    static Path mounts;
    private static MountedSecretDir trust;
    private static MountedSecretDir clientSecret;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        serverCa = TestCertificates.authority("server-ca");
        clientCa = TestCertificates.authority("client-ca");
        TestCertificates.Issued server = serverCa.server(SERVER_NAME);
        client = clientCa.client("sidecar");
        PemKeyCertOptions serverKey = new PemKeyCertOptions().setCertValue(Buffer.buffer(server.certificatePem()))
                .setKeyValue(Buffer.buffer(server.keyPem()));
        https = listen(new HttpServerOptions().setSsl(true).setKeyCertOptions(serverKey));
        mutualTls = listen(new HttpServerOptions().setSsl(true).setKeyCertOptions(serverKey)
                .setClientAuth(ClientAuth.REQUIRED)
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(clientCa.certificatePem()))));
        HealthStatusManager health = new HealthStatusManager();
        grpcTls = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .useTransportSecurity(stream(server.certificatePem()), stream(server.keyPem()))
                .addService(health.getHealthService()).build().start();
        trust = new MountedSecretDir(Files.createDirectory(mounts.resolve("trust")),
                Map.of("ca.crt", serverCa.certificatePem()));
        clientSecret = new MountedSecretDir(Files.createDirectory(mounts.resolve("client")),
                Map.of("tls.crt", client.certificatePem(), "tls.key", client.keyPem()));
    }

    private static ByteArrayInputStream stream(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }

    private static HttpServer listen(HttpServerOptions options) throws Exception {
        return vertx.createHttpServer(options).requestHandler(request -> request.response().end("ok"))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        grpcTls.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static TlsOptions trusting(String serverName) {
        return new TlsOptions(trust.file("ca.crt").toString(), null, null, serverName, null);
    }

    private static TlsOptions withClientCertificate() {
        return new TlsOptions(trust.file("ca.crt").toString(), clientSecret.file("tls.crt").toString(),
                clientSecret.file("tls.key").toString(), SERVER_NAME, null);
    }

    private static ProbeOutcome get(HttpServer server, TlsOptions tls) throws Exception {
        HttpGetProbe probe = httpProbe(server, tls);
        try {
            return Probing.once(vertx, probe, TIMEOUT_MS);
        } finally {
            probe.close();
        }
    }

    private static HttpGetProbe httpProbe(HttpServer server, TlsOptions tls) {
        return new HttpGetProbe(vertx, new HttpGetAction("https://127.0.0.1:" + server.actualPort() + "/", null, null,
                null, null, null, null, null, null, null, tls), new ObjectMapper(), 1024);
    }

    @Test
    void aServerSignedByTheMountedCaBundleIsTrusted() throws Exception {
        ProbeOutcome outcome = get(https, trusting(SERVER_NAME));
        assertThat(outcome.success()).as(outcome.message()).isTrue();
    }

    @Test
    void withoutTheCaBundleTheServerIsNotTrusted() throws Exception {
        ProbeOutcome outcome = get(https, new TlsOptions(null, null, null, SERVER_NAME, null));
        assertThat(outcome.reason()).as(outcome.message()).isEqualTo(FailureReason.TlsError);
    }

    @Test
    void withoutTheServerNameTheCertificateDoesNotMatchTheAddress() throws Exception {
        ProbeOutcome outcome = get(https, trusting(null));
        assertThat(outcome.reason()).as(outcome.message()).isEqualTo(FailureReason.TlsError);
    }

    @Test
    void insecureSkipTlsVerifyAcceptsAnyCertificate() throws Exception {
        ProbeOutcome outcome = get(https, new TlsOptions(null, null, null, null, true));
        assertThat(outcome.success()).as(outcome.message()).isTrue();
    }

    @Test
    void aServerThatRequiresAClientCertificateAcceptsTheMountedOne() throws Exception {
        ProbeOutcome outcome = get(mutualTls, withClientCertificate());
        assertThat(outcome.success()).as(outcome.message()).isTrue();
    }

    @Test
    void aServerThatRequiresAClientCertificateRefusesAProbeWithoutOne() throws Exception {
        ProbeOutcome outcome = get(mutualTls, trusting(SERVER_NAME));
        assertThat(outcome.success()).isFalse();
        // TLS 1.3 ends the client's handshake before the server judges its certificate: the refusal may arrive as
        // an alert (TlsError) or as the connection closing.
        assertThat(outcome.reason()).as(outcome.message()).isIn(FailureReason.TlsError,
                FailureReason.ConnectionClosed, FailureReason.ConnectionReset);
    }

    @Test
    void aRotatedCaBundleIsUsedByTheNextProbeOfTheSameCheck() throws Exception {
        MountedSecretDir rotating = new MountedSecretDir(Files.createDirectory(mounts.resolve("rotating")),
                Map.of("ca.crt", TestCertificates.authority("another-ca").certificatePem()));
        HttpGetProbe probe = httpProbe(https, new TlsOptions(rotating.file("ca.crt").toString(), null, null,
                SERVER_NAME, null));
        try {
            assertThat(Probing.once(vertx, probe, TIMEOUT_MS).reason()).isEqualTo(FailureReason.TlsError);
            rotating.update(Map.of("ca.crt", serverCa.certificatePem()));
            ProbeOutcome rotated = Probing.once(vertx, probe, TIMEOUT_MS);
            assertThat(rotated.success()).as(rotated.message()).isTrue();
        } finally {
            probe.close();
        }
    }

    @Test
    void aCaBundleThatIsNotPemFailsNamingTheFile() throws Exception {
        Path garbage = Files.writeString(mounts.resolve("garbage.crt"), "not a certificate");
        ProbeOutcome outcome = get(https, new TlsOptions(garbage.toString(), null, null, SERVER_NAME, null));
        assertThat(outcome.reason()).isEqualTo(FailureReason.SecretUnreadable);
        assertThat(outcome.message()).isEqualTo("CA bundle file " + garbage + " holds no valid PEM certificate");
    }

    @Test
    void aMissingClientKeyFailsNamingTheFile() throws Exception {
        Path missing = mounts.resolve("client").resolve("missing.key");
        ProbeOutcome outcome = get(mutualTls, new TlsOptions(trust.file("ca.crt").toString(),
                clientSecret.file("tls.crt").toString(), missing.toString(), SERVER_NAME, null));
        assertThat(outcome.reason()).isEqualTo(FailureReason.SecretUnreadable);
        assertThat(outcome.message()).startsWith("client key file " + missing + " does not exist");
    }

    @Test
    void aClientKeyFileWithoutAKeyFailsWithoutShowingItsContent() throws Exception {
        Path notAKey = Files.writeString(mounts.resolve("not-a-key"), client.certificatePem());
        ProbeOutcome outcome = get(mutualTls, new TlsOptions(trust.file("ca.crt").toString(),
                clientSecret.file("tls.crt").toString(), notAKey.toString(), SERVER_NAME, null));
        assertThat(outcome.reason()).isEqualTo(FailureReason.SecretUnreadable);
        assertThat(outcome.message()).isEqualTo("client key file " + notAKey + " holds no PEM private key");
    }

    private static ProbeOutcome grpc(TlsOptions tls) throws Exception {
        GrpcHealthProbe probe = new GrpcHealthProbe(vertx, new GrpcAction("127.0.0.1", grpcTls.getPort(), "", tls));
        try {
            return Probing.once(vertx, probe, TIMEOUT_MS);
        } finally {
            probe.close();
        }
    }

    @Test
    void grpcOverTlsWithTheMountedCaBundleIsServing() throws Exception {
        ProbeOutcome outcome = grpc(trusting(SERVER_NAME));
        assertThat(outcome.success()).as(outcome.message()).isTrue();
        assertThat(outcome.message()).isEqualTo("SERVING");
    }

    @Test
    void grpcOverTlsWithoutTheCaBundleIsNotTrusted() throws Exception {
        ProbeOutcome outcome = grpc(new TlsOptions(null, null, null, SERVER_NAME, null));
        assertThat(outcome.reason()).as(outcome.message()).isEqualTo(FailureReason.TlsError);
    }

    @Test
    void grpcInPlaintextAgainstATlsServerFails() throws Exception {
        ProbeOutcome outcome = grpc(null);
        assertThat(outcome.success()).as(outcome.message()).isFalse();
    }
}
