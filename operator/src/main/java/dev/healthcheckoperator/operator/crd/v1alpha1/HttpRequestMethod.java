package dev.healthcheckoperator.operator.crd.v1alpha1;

/** The methods an httpGet check can send. */
public enum HttpRequestMethod {
    GET,
    HEAD,
    POST
}
