import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.healthcheckoperator.operator.cache.OwnedObjectItemStore;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Heap held per 1,000 cached sidecar Deployment + Service pairs: parsed as the API server served them, or as the
 * operator's informers store them (OwnedObjectItemStore). Args: deployment.json service.json served|stored count
 * field-manager. Each copy is parsed on its own, as an informer does, so no string is shared by accident.
 */
public class CacheFootprint {

    private static long heapInUse() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    public static void main(String[] args) throws Exception {
        String deployment = Files.readString(Path.of(args[0]));
        String service = Files.readString(Path.of(args[1]));
        boolean stored = "stored".equals(args[2]);
        int count = Integer.parseInt(args[3]);
        OwnedObjectItemStore<Deployment> deployments = new OwnedObjectItemStore<>(args[4]);
        OwnedObjectItemStore<Service> services = new OwnedObjectItemStore<>(args[4]);
        List<Object> served = new ArrayList<>(2 * count);
        // The parser's own classes and caches, and the store's, before the baseline.
        new OwnedObjectItemStore<Deployment>(args[4]).put("warm", Serialization.unmarshal(deployment, Deployment.class));
        new OwnedObjectItemStore<Service>(args[4]).put("warm", Serialization.unmarshal(service, Service.class));
        long before = heapInUse();
        for (int i = 0; i < count; i++) {
            Deployment d = Serialization.unmarshal(deployment, Deployment.class);
            Service s = Serialization.unmarshal(service, Service.class);
            if (stored) {
                deployments.put("bench/" + i, d);
                services.put("bench/" + i, s);
            } else {
                served.add(d);
                served.add(s);
            }
        }
        long after = heapInUse();
        System.out.printf(Locale.ROOT, "%.2f%n", (after - before) / 1048576.0 * 1000 / count);
        // Reachable until here, so that the collections above could not free them.
        System.err.println(served.size() + deployments.size() + services.size() + " objects");
    }
}
