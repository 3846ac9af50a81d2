package dev.healthcheckoperator.operator.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

/**
 * Every change of the HealthChecks of one namespace, as a watch delivers them: each write of a status is one
 * MODIFIED event (a write that changes nothing is none), so a test can count writes exactly and see every health
 * a HealthCheck went through, not only the one it ends in.
 */
public final class StatusWrites implements AutoCloseable {

    /** One observed change. */
    public record Write(String name, String resourceVersion, Health health, String healthyReason, String ready) {
    }

    private final List<Write> writes = new CopyOnWriteArrayList<>();
    private final Watch watch;

    public StatusWrites(KubernetesClient client, String namespace) {
        watch = client.resources(HealthCheck.class).inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, HealthCheck resource) {
                if (action == Action.MODIFIED) {
                    var status = resource.getStatus();
                    writes.add(new Write(resource.getMetadata().getName(), resource.getMetadata().getResourceVersion(),
                            status == null ? null : status.getHealth(),
                            status == null ? null : status.condition("Healthy").map(c -> c.getReason()).orElse(null),
                            status == null ? null : status.condition("Ready").map(c -> c.getStatus()).orElse(null)));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                // The test ends the watch; a broken one fails the counts, which then miss writes made later.
            }
        });
    }

    public List<Write> of(String name) {
        return writes.stream().filter(w -> name.equals(w.name())).toList();
    }

    public List<Write> all() {
        return List.copyOf(writes);
    }

    @Override
    public void close() {
        watch.close();
    }
}
