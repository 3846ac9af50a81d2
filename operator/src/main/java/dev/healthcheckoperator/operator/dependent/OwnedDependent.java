package dev.healthcheckoperator.operator.dependent;

import java.util.List;

import dev.healthcheckoperator.operator.cache.CacheSettings;
import dev.healthcheckoperator.operator.cache.OwnedObjectItemStore;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfig;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * An object owned by its HealthCheck as its controller: deleted with it by the garbage collector, shown as
 * "Controlled By" by kubectl, and never claimed by another HealthCheck.
 */
abstract class OwnedDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, HealthCheck> {

    OwnedDependent(Class<R> resourceType) {
        super(resourceType);
    }

    /** Name, namespace and labels shared by every owned object of a HealthCheck. */
    static ObjectMeta metadata(HealthCheck healthCheck) {
        return new ObjectMetaBuilder()
                .withName(SidecarNames.resourceName(healthCheck))
                .withNamespace(healthCheck.getMetadata().getNamespace())
                .withLabels(SidecarNames.labels(healthCheck))
                .build();
    }

    /**
     * The SDK's event source of this dependent (its informer as the {@code @KubernetesDependent} annotation
     * configures it), plus an {@link OwnedObjectItemStore} where one informer fills the store. Built here rather
     * than through the annotation's {@code itemStore}: the SDK would share that one store across the informers of
     * several watched namespaces, and applying the annotation after the builder replaces any store set before it.
     */
    @Override
    protected InformerEventSource<R, HealthCheck> createEventSource(EventSourceContext<HealthCheck> context) {
        InformerEventSourceConfiguration.Builder<R> informer = informerConfigurationBuilder(context)
                .withSecondaryToPrimaryMapper(getSecondaryToPrimaryMapper(context).orElseThrow())
                .withName(name());
        configuration().map(KubernetesDependentResourceConfig::informerConfig).ifPresent(informer::updateFrom);
        if (CacheSettings.oneInformerFillsTheStore(
                context.getControllerConfiguration().getInformerConfig().getNamespaces())) {
            informer.withItemStore(new OwnedObjectItemStore<>(context.getControllerConfiguration().fieldManager()));
        }
        InformerEventSource<R, HealthCheck> source = new InformerEventSource<>(informer.build(), context);
        setEventSource(source);
        return source;
    }

    /**
     * Which cached object is this HealthCheck's: the one of the name {@link #metadata} gives every owned object.
     * The SDK's default builds the whole desired object to read its name, on every reconciliation; for the
     * Deployment (the pod template built and copied, the checks rendered and hashed) that was about a sixth of the
     * reconcilers' CPU while 1,000 HealthChecks were created (a flight recording, BENCHMARKS.md).
     */
    @Override
    protected ResourceID targetSecondaryResourceID(HealthCheck primary, Context<HealthCheck> context) {
        return new ResourceID(SidecarNames.resourceName(primary), primary.getMetadata().getNamespace());
    }

    @Override
    protected void addReferenceHandlingMetadata(R target, HealthCheck primary) {
        target.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder()
                .withApiVersion(primary.getApiVersion())
                .withKind(primary.getKind())
                .withName(primary.getMetadata().getName())
                .withUid(primary.getMetadata().getUid())
                .withController(true)
                .build()));
    }
}
