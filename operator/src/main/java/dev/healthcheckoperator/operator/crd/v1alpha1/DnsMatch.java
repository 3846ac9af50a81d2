package dev.healthcheckoperator.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a dns check's expectedValues are matched against the answer. */
public enum DnsMatch {
    @JsonProperty("all")
    ALL,
    @JsonProperty("any")
    ANY;

    /** The value as written in the resource and the checks file. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
