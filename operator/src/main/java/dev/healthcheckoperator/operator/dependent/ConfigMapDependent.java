package dev.healthcheckoperator.operator.dependent;

import java.util.Map;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The sidecar's checks.json, rendered from the HealthCheck spec into an immutable ConfigMap named by its content
 * ({@link SidecarNames#configMapName}): a new spec makes a new ConfigMap, and the Deployment's pod template points
 * at it. Old ones are removed by the reconciler once more than {@link #KEPT_OLD_CONFIGMAPS} accumulate.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ManagedBySelector.SELECTOR))
public class ConfigMapDependent extends OwnedDependent<ConfigMap> {

    /**
     * Old ConfigMaps kept for the ReplicaSets that may still need them: equal to the Deployment's
     * revisionHistoryLimit, since each of those ReplicaSets was started with at most one of them.
     */
    public static final int KEPT_OLD_CONFIGMAPS = DeploymentDependent.REVISION_HISTORY_LIMIT;

    public ConfigMapDependent() {
        super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(HealthCheck healthCheck, Context<HealthCheck> context) {
        return new ConfigMapBuilder()
                .withMetadata(metadata(healthCheck))
                .editMetadata().withName(SidecarNames.configMapName(healthCheck))
                .addToAnnotations(SidecarNames.LAST_USED_GENERATION_ANNOTATION,
                        String.valueOf(healthCheck.getMetadata().getGeneration()))
                .endMetadata()
                .withImmutable(true)
                .withData(Map.of(SidecarNames.CONFIG_KEY, SidecarConfigRenderer.render(healthCheck.getSpec())))
                .build();
    }
}
