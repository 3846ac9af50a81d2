package dev.healthcheckoperator.operator.dependent;

import java.util.List;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

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
