package dev.healthcheckoperator.operator.statuspage;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The body of GET /api/v1/healthchecks.
 *
 * @param items this page, ordered by namespace then name
 * @param total how many HealthChecks match the filters (all pages)
 * @param continueToken pass as ?continue= for the next page; null on the last page
 * @param namespaces every namespace the caller may see that holds a HealthCheck, for the namespace filter
 */
@JsonPropertyOrder({ "apiVersion", "kind", "total", "continue", "namespaces", "items" })
@JsonInclude(JsonInclude.Include.ALWAYS)
public record StatusPageAnswer(String apiVersion, String kind, int total,
        @com.fasterxml.jackson.annotation.JsonProperty("continue") String continueToken, List<String> namespaces,
        List<HealthCheckSummary> items) {

    public static final String API_VERSION = "status.healthcheck-operator.dev/v1";
    public static final String KIND = "HealthCheckList";

    public StatusPageAnswer(int total, String continueToken, List<String> namespaces,
            List<HealthCheckSummary> items) {
        this(API_VERSION, KIND, total, continueToken, namespaces, items);
    }
}
