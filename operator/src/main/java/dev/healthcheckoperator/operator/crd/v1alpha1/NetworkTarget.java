package dev.healthcheckoperator.operator.crd.v1alpha1;

import io.fabric8.generator.annotation.Required;

/** A host and port that a TCP or gRPC check needs both of. */
public abstract class NetworkTarget extends HostAndPort {

    @Override
    @Required
    public String getHost() {
        return super.getHost();
    }

    @Override
    @Required
    public Integer getPort() {
        return super.getPort();
    }
}
