package dev.healthcheckoperator.operator.crd.v1alpha1;

/** The record types a dns check can ask for. */
public enum DnsRecordType {
    A,
    AAAA,
    CNAME,
    SRV,
    TXT,
    MX
}
