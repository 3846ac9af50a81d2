package dev.healthcheckoperator.operator.statuspage;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The body of every error answer: what went wrong and, for a bad query parameter, which one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProblemAnswer(int status, String error, String parameter) {
}
