package dev.healthcheckoperator.operator.cache;

import java.util.List;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * The item store of the sidecar Pod informer: each pod cut down, where it arrives, to what the operator reads of it
 * (why a sidecar cannot start: ReadyCondition) and what the informer and the SDK need (name, namespace, uid,
 * resourceVersion, labels for the mapping to the HealthCheck, owner, deletion). A pod is the largest object the
 * operator caches per HealthCheck (its whole spec with the API server's defaults, managedFields of the
 * controller-manager and the kubelet, conditions, the status of each container) and the operator never writes one.
 * The same object goes on to the event handlers, so nothing downstream sees a field that the cache lacks.
 */
public class SidecarPodItemStore extends BasicItemStore<Pod> {

    public SidecarPodItemStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public Pod put(String key, Pod pod) {
        keepWhatIsRead(pod);
        return super.put(key, pod);
    }

    static void keepWhatIsRead(Pod pod) {
        ObjectMeta metadata = pod.getMetadata();
        pod.setMetadata(new ObjectMetaBuilder().withName(metadata.getName()).withNamespace(metadata.getNamespace())
                .withUid(metadata.getUid()).withResourceVersion(metadata.getResourceVersion())
                .withLabels(metadata.getLabels()).withOwnerReferences(metadata.getOwnerReferences())
                .withDeletionTimestamp(metadata.getDeletionTimestamp()).build());
        pod.setSpec(null);
        PodStatus status = pod.getStatus();
        if (status != null) {
            pod.setStatus(new PodStatusBuilder().withPhase(status.getPhase())
                    .withInitContainerStatuses(containers(status.getInitContainerStatuses()))
                    .withContainerStatuses(containers(status.getContainerStatuses())).build());
        }
    }

    private static List<ContainerStatus> containers(List<ContainerStatus> statuses) {
        return statuses == null ? null : statuses.stream()
                .map(c -> new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
                        .withRestartCount(c.getRestartCount()).withReady(c.getReady()).withState(c.getState())
                        .build())
                .toList();
    }
}
