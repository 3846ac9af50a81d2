package dev.healthcheckoperator.operator.crd.v1alpha1;

/** Passes when a TCP connection to host:port opens within the timeout. */
public class TcpSocketAction extends NetworkTarget {
}
