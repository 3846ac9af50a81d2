package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.TlsCertificateAction;
import dev.healthcheckoperator.sidecar.checks.spec.TlsOptions;
import dev.healthcheckoperator.sidecar.checks.tls.MountedFile;
import dev.healthcheckoperator.sidecar.checks.tls.TlsMaterial;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;

/**
 * {@code tlsCertificate}: a TLS handshake with host:port (SNI and the host name check on {@code serverName}, or on
 * the host), judged on the leaf certificate the server presents: expired, not trusted or not for the name,
 * expiring within {@code expiresWithinDays}, or fine. No byte of application data is sent.
 *
 * <p>Trust and the client certificate come from the check's {@code tls} options through {@link TlsMaterial}, like
 * every other check that speaks TLS: a CA bundle instead of the system trust, a client certificate for a server
 * that requires one. Their files are read again before each probe, on a worker thread, and the trust and key
 * managers are rebuilt only when the content changed (a rotated Secret).
 *
 * <p>The chain is seen by a verifying trust manager that first keeps it, then asks the material's trust manager
 * twice: for the chain alone, then with the host name, so that "untrusted" and "wrong name" are told
 * apart. A failed verification still fails the handshake (nothing is completed with a server that is not
 * trusted), and the kept chain decides the reason afterwards: an expired leaf is CertificateExpired even though
 * the verification also refused it. The leaf's notAfter of the last probe is exported as
 * {@code sidecar_check_certificate_expiry_timestamp_seconds} (NaN while the last probe saw no certificate).
 *
 * <p>A server that asks for a client certificate is, in TLS 1.3, only heard refusing it after the client's side of
 * the handshake is done; the probe then waits (within its deadline) for that answer before it judges, so that a
 * server requiring a certificate the check does not present fails rather than passes.
 */
public final class TlsCertificateProbe implements Probe {

    private static final String TLS_1_3 = "TLSv1.3";
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

    private final VertxInternal vertx;
    private final TlsCertificateAction action;
    private final TlsOptions options;
    private final Clock clock;
    private volatile double leafNotAfterSeconds = Double.NaN;
    private volatile Managers managers;

    /** The trust and key managers built from one version of the TLS files, told apart by its fingerprint. */
    private record Managers(String fingerprint, X509ExtendedTrustManager trust, X509KeyManager keys) {
    }

    public TlsCertificateProbe(Vertx vertx, TlsCertificateAction action, Clock clock) {
        this.vertx = (VertxInternal) vertx;
        this.action = action;
        this.options = action.tlsOrDefault();
        this.clock = clock;
    }

    @Override
    public void registerMeters(MeterRegistry registry, Tags tags) {
        Gauge.builder("sidecar.check.certificate.expiry.timestamp", this, p -> p.leafNotAfterSeconds)
                .description("When the leaf certificate the last probe saw expires (notAfter, Unix time); NaN when it "
                        + "saw none")
                .baseUnit("seconds").tags(tags).register(registry);
    }

    /** The notAfter of the leaf the last probe saw, in Unix seconds, or NaN. */
    double leafNotAfterSeconds() {
        return leafNotAfterSeconds;
    }

    @Override
    public Future<ProbeOutcome> run(ProbeDeadline deadline) {
        Managers current = managers;
        if (current != null && !options.readsFiles()) {
            return handshake(current, deadline);
        }
        deadline.phase("reading the mounted TLS files");
        return vertx.executeBlocking(this::load, false).transform(loaded -> {
            if (loaded.succeeded()) {
                return handshake(loaded.result(), deadline);
            }
            leafNotAfterSeconds = Double.NaN;
            Throwable error = loaded.cause();
            return Future.succeededFuture(error instanceof MountedFile.UnreadableException
                    ? ProbeOutcome.fromError(error)
                    : ProbeOutcome.failure(FailureReason.TlsError, "cannot set up TLS: " + message(error)));
        });
    }

    /** Reads the TLS files (blocks) and builds the managers again only when their content changed. */
    private Managers load() throws Exception {
        TlsMaterial material = options.readsFiles() ? TlsMaterial.load(options) : TlsMaterial.withoutFiles(options);
        Managers current = managers;
        if (current == null || !current.fingerprint().equals(material.fingerprint())) {
            current = new Managers(material.fingerprint(), action.verifies() ? material.trustManager(vertx) : null,
                    x509(material.keyManagers(vertx)));
            managers = current;
        }
        return current;
    }

    private Future<ProbeOutcome> handshake(Managers material, ProbeDeadline deadline) {
        ContextInternal context = vertx.getOrCreateContext();
        KeptChain kept;
        AskedKeyManager keys = new AskedKeyManager(material.keys());
        SSLEngine engine;
        try {
            kept = new KeptChain(material.trust());
            engine = engine(kept, keys);
        } catch (GeneralSecurityException | RuntimeException e) {
            leafNotAfterSeconds = Double.NaN;
            return Future.succeededFuture(ProbeOutcome.failure(FailureReason.TlsError,
                    "cannot set up TLS: " + e.getMessage()));
        }
        SslHandler tls = new SslHandler(engine);
        tls.setHandshakeTimeoutMillis(deadline.remainingMillis());
        Promise<Void> handshake = context.promise();
        // After the handshake: how the server answers the client certificate (an alert, or an orderly close).
        Promise<Void> answered = context.promise();
        ChannelInitializer<Channel> pipeline = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline().addLast(tls, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // Reported through the futures; swallowed here so that Netty does not log it.
                        answered.tryFail(cause);
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        answered.tryComplete();
                        ctx.fireChannelInactive();
                    }
                });
            }
        };
        return BoundedConnect.open(vertx, context, action.host(), action.port(), deadline, pipeline)
                .compose(channel -> {
                    deadline.phase("TLS handshake with " + action.host() + ":" + action.port());
                    tls.handshakeFuture().addListener(done -> {
                        if (done.isSuccess()) {
                            handshake.tryComplete();
                        } else {
                            handshake.tryFail(done.cause());
                        }
                    });
                    return handshake.future()
                            .transform(done -> done.succeeded() && keys.asked && TLS_1_3.equals(engine.getSession()
                                    .getProtocol()) ? clientCertificateAnswer(tls, answered, kept, keys, deadline)
                                    : Future.succeededFuture(judge(kept, done.failed() ? done.cause() : null)))
                            .onComplete(ignored -> channel.close());
                })
                .otherwise(error -> {
                    leafNotAfterSeconds = Double.NaN;
                    return error instanceof BoundedConnect.LateException ? BoundedConnect.LATE
                            : ProbeOutcome.fromError(error);
                });
    }

    /**
     * In TLS 1.3 the client's handshake is over before the server has looked at the client certificate it asked
     * for (or at its absence): a server that refuses it says so with an alert afterwards. So the probe closes its
     * side (close_notify) and waits, within the deadline, for the server's answer: an alert fails the check, an
     * orderly close (or the server's close_notify) lets the certificate be judged.
     */
    private Future<ProbeOutcome> clientCertificateAnswer(SslHandler tls, Promise<Void> answered, KeptChain kept,
            AskedKeyManager keys, ProbeDeadline deadline) {
        deadline.phase("the answer of " + action.host() + ":" + action.port() + " to the client certificate");
        tls.closeOutbound();
        tls.sslCloseFuture().addListener(closed -> {
            if (closed.isSuccess()) {
                answered.tryComplete();
            }
        });
        return answered.future().transform(done -> Future.succeededFuture(done.succeeded() ? judge(kept, null)
                : refusedClientCertificate(keys, done.cause())));
    }

    private ProbeOutcome refusedClientCertificate(AskedKeyManager keys, Throwable alert) {
        String at = action.host() + ":" + action.port();
        return ProbeOutcome.failure(FailureReason.TlsError, keys.delegate == null
                ? at + " requires a client certificate and the check presents none (tls.clientCertificateSecretRef): "
                        + message(alert)
                : at + " refused the client certificate: " + message(alert));
    }

    private static X509KeyManager x509(KeyManager[] managers) {
        if (managers == null) {
            return null;
        }
        for (KeyManager manager : managers) {
            if (manager instanceof X509KeyManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("the key manager factory has no X.509 key manager");
    }

    private SSLEngine engine(KeptChain kept, KeyManager keys) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {keys}, new TrustManager[] {kept}, null);
        String name = action.verifiedName();
        SSLEngine engine = context.createSSLEngine(name, action.port());
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        if (action.verifies()) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!IP_LITERAL.matcher(name).matches()) {
            parameters.setServerNames(List.of(new SNIHostName(name)));
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    private ProbeOutcome judge(KeptChain kept, Throwable handshakeFailure) {
        X509Certificate[] chain = kept.presented;
        String of = action.verifiedName();
        if (chain == null || chain.length == 0) {
            leafNotAfterSeconds = Double.NaN;
            return ProbeOutcome.failure(FailureReason.TlsError, "TLS handshake with " + action.host() + ":"
                    + action.port() + " failed before a certificate: " + message(handshakeFailure));
        }
        X509Certificate leaf = chain[0];
        Instant notAfter = leaf.getNotAfter().toInstant();
        leafNotAfterSeconds = notAfter.getEpochSecond();
        Instant now = clock.instant();
        String until = notAfter.truncatedTo(ChronoUnit.SECONDS).toString();
        if (now.isAfter(notAfter)) {
            return ProbeOutcome.failure(FailureReason.CertificateExpired, "the certificate for " + of
                    + " expired at " + until);
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            return ProbeOutcome.failure(FailureReason.TlsError, "the certificate for " + of + " is not valid before "
                    + leaf.getNotBefore().toInstant().truncatedTo(ChronoUnit.SECONDS));
        }
        if (kept.refusal != null) {
            return ProbeOutcome.failure(FailureReason.TlsError, kept.refusal);
        }
        if (handshakeFailure != null) {
            return ProbeOutcome.failure(FailureReason.TlsError, "TLS handshake failed: " + message(handshakeFailure));
        }
        int days = action.expiresWithinDaysOrDefault();
        if (now.plus(Duration.ofDays(days)).isAfter(notAfter)) {
            return ProbeOutcome.failure(FailureReason.CertificateExpiring, "the certificate for " + of + " expires at "
                    + until + ", within " + days + " days");
        }
        return ProbeOutcome.success((action.verifies() ? "trusted certificate for " : "certificate for ") + of
                + " valid until " + until);
    }

    private static String message(Throwable error) {
        if (error == null) {
            return "no certificate";
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /**
     * Presents the client certificate (null: none) and notes whether the server asked for one: only then may it
     * refuse the handshake after the client has finished it.
     */
    private static final class AskedKeyManager extends X509ExtendedKeyManager {
        private final X509KeyManager delegate;
        private volatile boolean asked;

        AskedKeyManager(X509KeyManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            asked = true;
            if (delegate == null) {
                return null;
            }
            return delegate instanceof X509ExtendedKeyManager extended
                    ? extended.chooseEngineClientAlias(keyType, issuers, engine)
                    : delegate.chooseClientAlias(keyType, issuers, null);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            asked = true;
            return delegate == null ? null : delegate.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate == null ? null : delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate == null ? null : delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate == null ? null : delegate.getPrivateKey(alias);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }

    /**
     * Keeps the chain the server presented and why it was refused; verifies with {@code delegate} (null: accepts
     * any chain, for insecureSkipTlsVerify). Only ever a client: client chains are refused.
     */
    private final class KeptChain extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private volatile X509Certificate[] presented;
        private volatile String refusal;

        KeptChain(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            presented = chain == null ? null : chain.clone();
            if (delegate == null) {
                return;
            }
            try {
                delegate.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                refusal = "the certificate chain of " + action.host() + ":" + action.port() + " is not trusted: "
                        + message(e);
                throw e;
            }
            try {
                delegate.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                refusal = "the certificate does not name " + action.verifiedName() + ": " + message(e);
                throw e;
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("this trust manager only verifies SSLEngine handshakes");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("this trust manager only verifies SSLEngine handshakes");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("a probe does not accept client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("a probe does not accept client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a probe does not accept client certificates");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate == null ? new X509Certificate[0] : delegate.getAcceptedIssuers();
        }
    }

    @Override
    public void close() {
        // Nothing is pooled: each handshake's channel is closed when the probe ends or at its deadline.
    }
}
