package dev.healthcheckoperator.operator.dependent;

import dev.healthcheckoperator.operator.cache.CacheSettings;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Exists only while the diagnostics port is opened to the pod network ({@code spec.diagnostics.allowFrom}): it
 * admits the named peers to the diagnostics port and anyone to the health port, so opening diagnostics does
 * not open them to the whole cluster. Removed when {@code allowFrom} is emptied.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ManagedBySelector.SELECTOR,
        informerListLimit = CacheSettings.LIST_PAGE_SIZE))
public class NetworkPolicyDependent extends OwnedDependent<NetworkPolicy> {

    /** The workflow's precondition: when it does not hold, an existing policy is deleted. */
    public static class DiagnosticsExposed implements Condition<NetworkPolicy, HealthCheck> {
        @Override
        public boolean isMet(DependentResource<NetworkPolicy, HealthCheck> dependent, HealthCheck primary,
                Context<HealthCheck> context) {
            return DeploymentDependent.diagnosticsExposed(primary.getSpec());
        }
    }

    public NetworkPolicyDependent() {
        super(NetworkPolicy.class);
    }

    @Override
    protected NetworkPolicy desired(HealthCheck healthCheck, Context<HealthCheck> context) {
        return new NetworkPolicyBuilder()
                .withMetadata(metadata(healthCheck))
                .withNewSpec()
                .withNewPodSelector().withMatchLabels(SidecarNames.selectorLabels(healthCheck)).endPodSelector()
                .withPolicyTypes("Ingress")
                // A policy that selects the pods denies every ingress it does not name: keep /health open.
                .addNewIngress()
                .addNewPort().withProtocol("TCP").withPort(new IntOrString(SidecarNames.HEALTH_PORT_NAME)).endPort()
                .endIngress()
                .addNewIngress()
                .withFrom(healthCheck.getSpec().getDiagnostics().getAllowFrom())
                .addNewPort().withProtocol("TCP").withPort(new IntOrString(SidecarNames.DIAGNOSTICS_PORT_NAME))
                .endPort()
                .endIngress()
                .endSpec()
                .build();
    }
}
