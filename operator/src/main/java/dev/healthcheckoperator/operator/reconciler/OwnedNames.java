package dev.healthcheckoperator.operator.reconciler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.dependent.SidecarNames;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * Finds an object that already has the name of one of a HealthCheck's own objects but belongs to someone else.
 * Server-side apply would take such an object over (and the garbage collector would later delete it with the
 * HealthCheck), so the reconciler changes nothing and reports the conflict instead.
 * <p>
 * The informers only cache this operator's objects; a name they do not know is looked up once per reconciliation
 * until the object exists, so a HealthCheck with all its objects in place costs no request.
 */
final class OwnedNames {

    private OwnedNames() {
    }

    /** A message naming the first conflicting object, or empty when every name is free or ours. */
    static Optional<String> conflict(HealthCheck healthCheck, Context<HealthCheck> context) {
        Map<Class<? extends HasMetadata>, String> names = new LinkedHashMap<>();
        names.put(Deployment.class, SidecarNames.resourceName(healthCheck));
        names.put(Service.class, SidecarNames.resourceName(healthCheck));
        String namespace = healthCheck.getMetadata().getNamespace();
        for (Map.Entry<Class<? extends HasMetadata>, String> entry : names.entrySet()) {
            Class<? extends HasMetadata> type = entry.getKey();
            String name = entry.getValue();
            boolean cachedAsOurs = context.getSecondaryResources(type).stream()
                    .anyMatch(r -> name.equals(r.getMetadata().getName()) && controlledBy(r, healthCheck));
            if (cachedAsOurs) {
                continue;
            }
            HasMetadata existing = context.getClient().resources(type).inNamespace(namespace).withName(name).get();
            if (existing != null && !controlledBy(existing, healthCheck)) {
                return Optional.of(existing.getKind() + " " + namespace + "/" + name
                        + " already exists and is not owned by this HealthCheck; it is left as it is. Rename the "
                        + "HealthCheck, or delete that " + existing.getKind() + " to let the operator create its own");
            }
        }
        return Optional.empty();
    }

    static boolean controlledBy(HasMetadata object, HealthCheck healthCheck) {
        return object.getMetadata().getOwnerReferences() != null && object.getMetadata().getOwnerReferences().stream()
                .anyMatch(ref -> Boolean.TRUE.equals(ref.getController())
                        && healthCheck.getMetadata().getUid().equals(ref.getUid()));
    }
}
