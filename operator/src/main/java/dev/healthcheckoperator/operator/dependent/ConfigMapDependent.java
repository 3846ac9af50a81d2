package dev.healthcheckoperator.operator.dependent;

import java.util.Map;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The sidecar's checks.json, rendered from the HealthCheck spec. */
@KubernetesDependent(informer = @Informer(labelSelector = ManagedBySelector.SELECTOR))
public class ConfigMapDependent extends OwnedDependent<ConfigMap> {

    public ConfigMapDependent() {
        super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(HealthCheck healthCheck, Context<HealthCheck> context) {
        return new ConfigMapBuilder()
                .withMetadata(metadata(healthCheck))
                .withData(Map.of(SidecarNames.CONFIG_KEY, SidecarConfigRenderer.render(healthCheck.getSpec())))
                .build();
    }
}
