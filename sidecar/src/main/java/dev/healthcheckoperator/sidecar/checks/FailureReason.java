package dev.healthcheckoperator.sidecar.checks;

import dev.healthcheckoperator.sidecar.checks.tls.MountedFile;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Why a probe failed, as a CamelCase code: a bounded set, so it is safe as a metric label and stable
 * enough for the operator to compare between polls.
 */
public enum FailureReason {
    Timeout,
    ConnectionRefused,
    ConnectionReset,
    ConnectionClosed,
    NoRouteToHost,
    DnsFailure,
    TlsError,
    UnexpectedStatus,
    BodyMismatch,
    BodyTooLarge,
    TooManyRedirects,
    BadRedirect,
    GrpcNotServing,
    GrpcError,
    /** A mounted Secret or ConfigMap key the check reads (a header value, a CA bundle, a client key) is unusable. */
    SecretUnreadable,
    /** A DNS answer without the expected values (or without any record of the type). */
    UnexpectedAnswer,
    /** The leaf certificate expires within the check's expiresWithinDays. */
    CertificateExpiring,
    CertificateExpired,
    ProbeError;

    /** Maps what Vert.x, Netty and the JDK throw to a reason; walks the cause chain (TLS errors come wrapped). */
    public static FailureReason classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MountedFile.UnreadableException) {
                return SecretUnreadable;
            }
            String type = t.getClass().getName();
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof TimeoutException || type.endsWith("ConnectTimeoutException")
                    || type.endsWith("TimeoutException") || message.contains("timed out")) {
                return Timeout;
            }
            if (t instanceof UnknownHostException || type.contains("UnknownHost")
                    || message.contains("failed to resolve")) {
                return DnsFailure;
            }
            if (t instanceof SSLException) {
                return TlsError;
            }
            if (t instanceof NoRouteToHostException || message.contains("no route to host")) {
                return NoRouteToHost;
            }
            if (t instanceof ConnectException || message.contains("connection refused")) {
                return ConnectionRefused;
            }
            if (message.contains("connection reset")) {
                return ConnectionReset;
            }
            if (type.endsWith("HttpClosedException") || type.endsWith("StreamResetException")
                    || message.contains("connection was closed") || t instanceof SocketException) {
                return ConnectionClosed;
            }
        }
        return ProbeError;
    }
}
