package dev.healthcheckoperator.operator.dependent;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * A ServiceAccount of the sidecars' own, with no API token: the sidecar never talks to the API server, and no other
 * workload's permissions leak into its pods.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ManagedBySelector.SELECTOR))
public class ServiceAccountDependent extends OwnedDependent<ServiceAccount> {

    public ServiceAccountDependent() {
        super(ServiceAccount.class);
    }

    @Override
    protected ServiceAccount desired(HealthCheck healthCheck, Context<HealthCheck> context) {
        return new ServiceAccountBuilder()
                .withMetadata(metadata(healthCheck))
                .withAutomountServiceAccountToken(false)
                .build();
    }
}
