package dev.healthcheckoperator.sidecar.checks;

/**
 * What one probe found. Messages are kept stable between identical results (no latencies, no timestamps)
 * so that a poller can compare them; the latency is reported separately.
 */
public record ProbeOutcome(boolean success, FailureReason reason, String message) {

    private static final int MAX_MESSAGE = 256;

    public static ProbeOutcome success(String message) {
        return new ProbeOutcome(true, null, message);
    }

    public static ProbeOutcome failure(FailureReason reason, String message) {
        String bounded = message == null ? "" : message.replaceAll("[\\r\\n]+", " ");
        if (bounded.length() > MAX_MESSAGE) {
            bounded = bounded.substring(0, MAX_MESSAGE - 3) + "...";
        }
        return new ProbeOutcome(false, reason, bounded);
    }

    public static ProbeOutcome fromError(Throwable error) {
        FailureReason reason = FailureReason.classify(error);
        String detail = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return failure(reason, detail);
    }
}
