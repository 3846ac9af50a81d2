package dev.healthcheckoperator.operator.health;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.dependent.SidecarNames;

/** Where one HealthCheck's sidecars are: enough to build any of the poll URLs. */
public record PollTarget(String namespace, String name, String service, int port) {

    public static PollTarget of(HealthCheck healthCheck) {
        return new PollTarget(healthCheck.getMetadata().getNamespace(), healthCheck.getMetadata().getName(),
                SidecarNames.resourceName(healthCheck), healthCheck.getSpec().getPort());
    }

    /** Fills {namespace}, {name}, {service} and {port} into a URL template. */
    public String expand(String template) {
        return template.replace("{namespace}", namespace).replace("{name}", name).replace("{service}", service)
                .replace("{port}", String.valueOf(port));
    }
}
