package dev.healthcheckoperator.operator.dependent;

import dev.healthcheckoperator.operator.cache.CacheSettings;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** A ClusterIP Service in front of the sidecars' /health port: the address users and the operator's poller use. */
@KubernetesDependent(informer = @Informer(labelSelector = ManagedBySelector.SELECTOR,
        informerListLimit = CacheSettings.LIST_PAGE_SIZE))
public class ServiceDependent extends OwnedDependent<Service> {

    public ServiceDependent() {
        super(Service.class);
    }

    @Override
    protected Service desired(HealthCheck healthCheck, Context<HealthCheck> context) {
        return new ServiceBuilder()
                .withMetadata(metadata(healthCheck))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(SidecarNames.selectorLabels(healthCheck))
                .addNewPort()
                .withName(SidecarNames.HEALTH_PORT_NAME)
                .withProtocol("TCP")
                .withPort(healthCheck.getSpec().getPort())
                .withTargetPort(new IntOrString(SidecarNames.HEALTH_PORT_NAME))
                .endPort()
                .endSpec()
                .build();
    }
}
