package dev.healthcheckoperator.operator.statuspage;

/**
 * A TokenReview or SubjectAccessReview failed or missed its deadline: answered 503, since a list filtered on a
 * verdict nobody reached would be a partial list that looks complete.
 */
public class ReviewUnavailableException extends RuntimeException {

    public ReviewUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
