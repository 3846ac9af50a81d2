package dev.healthcheckoperator.sidecar.diagnostics;

/** A costly diagnostic is already running; the endpoint answers 429 with Retry-After instead of queueing another. */
final class BusyException extends RuntimeException {

    BusyException(String message) {
        super(message);
    }
}
