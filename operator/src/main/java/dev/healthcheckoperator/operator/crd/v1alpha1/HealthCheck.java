package dev.healthcheckoperator.operator.crd.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A set of checks run by probe sidecars; the operator reports their aggregated health in the status.
 * <p>
 * The group is our own domain because {@code kind: HealthCheck} is also used by other projects.
 */
@Group(HealthCheck.GROUP)
@Version(HealthCheck.VERSION)
@Kind("HealthCheck")
@Plural("healthchecks")
@Singular("healthcheck")
@ShortNames("hc")
// kubectl prints these in this order (CrdPostProcessor keeps it; the generator alone sorts them by path); the
// reasons show with -o wide.
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Health", jsonPath = ".status.health", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".status.readyReplicas",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Ready Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
        type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Health Reason", jsonPath = ".status.conditions[?(@.type==\"Healthy\")].reason",
        type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Flapping", jsonPath = ".status.conditions[?(@.type==\"Flapping\")].status",
        type = AdditionalPrinterColumn.Type.STRING, priority = 1)
public class HealthCheck extends CustomResource<HealthCheckSpec, HealthCheckStatus> implements Namespaced {

    public static final String GROUP = "healthcheck-operator.dev";
    public static final String VERSION = "v1alpha1";

    @Override
    protected HealthCheckSpec initSpec() {
        return new HealthCheckSpec();
    }

    /**
     * Drops {@code metadata.managedFields} wherever a HealthCheck is read (a watch event, a list page, a get): nothing
     * in the operator reads them, and the informer's cache would otherwise hold, per HealthCheck, the field sets of
     * whoever created it ({@code kubectl apply}, Helm, a GitOps controller) and of the operator's status writes. Both
     * writes the operator makes to a HealthCheck are safe without them: a server-side apply must not carry them, and
     * a patch or update that omits them leaves them as they are on the server.
     * <p>
     * Here rather than in an item store (as for the owned objects, OwnedObjectItemStore): the SDK takes the
     * primary's item store from the annotation and hands that one instance to the informers of all watched
     * namespaces (see CacheSettings), and a fabric8 informer has no transform of its own.
     */
    @Override
    public void setMetadata(ObjectMeta metadata) {
        if (metadata != null) {
            metadata.setManagedFields(null);
        }
        super.setMetadata(metadata);
    }
}
