import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.healthcheckoperator.operator.cache.OwnedObjectItemStore;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Heap held per 1,000 cached objects of the kinds given (a sidecar Deployment, its Service, a HealthCheck), parsed
 * as the API server served them (every manager's managedFields) or as the operator's informers keep them
 * (OwnedObjectItemStore for the owned objects; a HealthCheck drops its managedFields as it is read). Args:
 * served|stored count field-manager file.json... Each copy is parsed on its own, as an informer does, so no string
 * is shared by accident.
 */
public class CacheFootprint {

    private static long heapInUse() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** The kinds the operator applies, whose informers keep them in an OwnedObjectItemStore. */
    private static final Map<String, Class<? extends HasMetadata>> OWNED =
            Map.of("Deployment", Deployment.class, "Service", Service.class);

    /** One cached copy of a served object: what an informer of the operator would hold. */
    private static HasMetadata cachedCopy(String kind, String json, boolean stored, String fieldManager) {
        if (OWNED.containsKey(kind)) {
            HasMetadata owned = Serialization.unmarshal(json, OWNED.get(kind));
            if (stored) {
                new OwnedObjectItemStore<HasMetadata>(fieldManager).put("bench", owned);
            }
            return owned;
        }
        if (!"HealthCheck".equals(kind)) {
            throw new IllegalArgumentException("no cache for kind " + kind);
        }
        HealthCheck healthCheck = Serialization.unmarshal(json, HealthCheck.class);
        if (!stored) {
            // As before HealthCheck dropped them: the served entries, parsed.
            healthCheck.getMetadata().setManagedFields(Serialization
                    .unmarshal(json, GenericKubernetesResource.class).getMetadata().getManagedFields());
        } else if (healthCheck.getMetadata().getManagedFields() != null) {
            throw new IllegalStateException("this operator jar's HealthCheck keeps managedFields: rebuild it");
        }
        return healthCheck;
    }

    public static void main(String[] args) throws Exception {
        boolean stored = "stored".equals(args[0]);
        int count = Integer.parseInt(args[1]);
        String fieldManager = args[2];
        List<String> objects = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            objects.add(Files.readString(Path.of(args[i])));
            kinds.add(Serialization.unmarshal(objects.get(objects.size() - 1), GenericKubernetesResource.class)
                    .getKind());
        }
        // The parser's own classes and caches, and the store's, before the baseline.
        for (int k = 0; k < objects.size(); k++) {
            cachedCopy(kinds.get(k), objects.get(k), stored, fieldManager);
        }
        List<HasMetadata> cached = new ArrayList<>(objects.size() * count);
        long before = heapInUse();
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < objects.size(); k++) {
                cached.add(cachedCopy(kinds.get(k), objects.get(k), stored, fieldManager));
            }
        }
        long after = heapInUse();
        System.out.printf(Locale.ROOT, "%.2f%n", (after - before) / 1048576.0 * 1000 / count);
        // Reachable until here, so that the collections above could not free them.
        System.err.println(cached.size() + " objects");
    }
}
