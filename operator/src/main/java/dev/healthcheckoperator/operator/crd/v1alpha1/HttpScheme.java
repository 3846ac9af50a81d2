package dev.healthcheckoperator.operator.crd.v1alpha1;

public enum HttpScheme {
    HTTP,
    HTTPS
}
