package dev.healthcheckoperator.operator.statuspage;

/** A query parameter the API refuses; answered 400 with the parameter's name. */
public class BadParameterException extends RuntimeException {

    private final String parameter;

    public BadParameterException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
