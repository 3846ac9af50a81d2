package dev.healthcheckoperator.operator.statuspage;

/** No token where one is required, or one the API server does not accept: answered 401. */
public class NotAuthenticatedException extends RuntimeException {

    public NotAuthenticatedException(String message) {
        super(message);
    }
}
