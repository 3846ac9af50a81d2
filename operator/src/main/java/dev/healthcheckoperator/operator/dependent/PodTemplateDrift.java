package dev.healthcheckoperator.operator.dependent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Edits of the sidecar pod template that server-side apply alone would keep: apply only removes what this
 * operator applied before, so a container, init container or volume added by someone else stays, and so does a field
 * added to a security context or host namespaces turned on (hostNetwork, hostPID, hostIPC: plain booleans that the
 * API server does not store when false, so applying false could not own them). These are the edits that widen what
 * the sidecar pod may do; each becomes a JSON Patch operation that removes or resets it (guarded by a test of the
 * name, so a concurrent reorder cannot remove the wrong entry). Values of fields the operator applies (image,
 * runAsNonRoot, ...) need none of this: the forced apply takes them back.
 */
final class PodTemplateDrift {

    private static final String POD = "/spec/template/spec";

    private PodTemplateDrift() {
    }

    /** JSON Patch operations that bring the actual pod template back to the desired one; empty when none is needed. */
    static List<Map<String, Object>> repairs(Deployment actual, Deployment desired) {
        PodSpec have = podSpec(actual);
        PodSpec want = podSpec(desired);
        List<Map<String, Object>> operations = new ArrayList<>();
        if (have == null || want == null) {
            return operations;
        }
        removeForeign(operations, POD + "/containers", have.getContainers(), want.getContainers(), Container::getName,
                "name");
        removeForeign(operations, POD + "/initContainers", have.getInitContainers(), want.getInitContainers(),
                Container::getName, "name");
        removeForeign(operations, POD + "/volumes", have.getVolumes(), want.getVolumes(), Volume::getName, "name");
        replaceChangedSources(operations, have.getVolumes(), want.getVolumes());
        Map<String, Boolean> hostNamespaces = new LinkedHashMap<>();
        hostNamespaces.put("hostNetwork", have.getHostNetwork());
        hostNamespaces.put("hostPID", have.getHostPID());
        hostNamespaces.put("hostIPC", have.getHostIPC());
        hostNamespaces.forEach((field, value) -> {
            if (Boolean.TRUE.equals(value)) {
                operations.add(Map.of("op", "remove", "path", POD + "/" + field));
            }
        });
        if (!Objects.equals(have.getSecurityContext(), want.getSecurityContext())) {
            operations.add(Map.of("op", "add", "path", POD + "/securityContext", "value",
                    want.getSecurityContext()));
        }
        List<Container> haveContainers = have.getContainers() == null ? List.of() : have.getContainers();
        for (Container wanted : want.getContainers()) {
            for (int i = 0; i < haveContainers.size(); i++) {
                Container container = haveContainers.get(i);
                if (!wanted.getName().equals(container.getName())) {
                    continue;
                }
                String at = POD + "/containers/" + i;
                if (!Objects.equals(wanted.getSecurityContext(), container.getSecurityContext())) {
                    operations.add(Map.of("op", "test", "path", at + "/name", "value", container.getName()));
                    operations.add(Map.of("op", "add", "path", at + "/securityContext", "value",
                            wanted.getSecurityContext()));
                }
                // A mount of a removed volume would make the whole pod template invalid.
                removeForeign(operations, at + "/volumeMounts", container.getVolumeMounts(), wanted.getVolumeMounts(),
                        VolumeMount::getMountPath, "mountPath");
            }
        }
        return operations;
    }

    /**
     * A volume of the operator's name whose source someone changed (the checks file's volume pointed at a hostPath,
     * or a ConfigMap as earlier releases had it): apply would add its own source beside it, and a volume with two
     * sources is refused. Compared by the kind of source only, since the API server fills in defaults.
     */
    private static void replaceChangedSources(List<Map<String, Object>> operations, List<Volume> have,
            List<Volume> want) {
        if (have == null || want == null) {
            return;
        }
        Map<String, Volume> wanted = want.stream().collect(Collectors.toMap(Volume::getName, v -> v));
        for (int i = 0; i < have.size(); i++) {
            Volume actual = have.get(i);
            Volume desired = wanted.get(actual.getName());
            if (desired != null && !sourceKinds(actual).equals(sourceKinds(desired))) {
                String at = POD + "/volumes/" + i;
                operations.add(Map.of("op", "test", "path", at + "/name", "value", actual.getName()));
                operations.add(Map.of("op", "replace", "path", at, "value", desired));
            }
        }
    }

    private static Set<String> sourceKinds(Volume volume) {
        Map<?, ?> fields = Serialization.jsonMapper().convertValue(volume, Map.class);
        return fields.keySet().stream().map(String::valueOf).filter(key -> !"name".equals(key))
                .collect(Collectors.toSet());
    }

    /** Removals from the end, so that each index still points at the entry it was computed for. */
    private static <T> void removeForeign(List<Map<String, Object>> operations, String path, List<T> have,
            List<T> want, Function<T, String> name, String keyField) {
        if (have == null || have.isEmpty()) {
            return;
        }
        Set<String> wanted = want == null ? Set.of() : want.stream().map(name).collect(Collectors.toSet());
        for (int i = have.size() - 1; i >= 0; i--) {
            String actualName = name.apply(have.get(i));
            if (!wanted.contains(actualName)) {
                operations.add(Map.of("op", "test", "path", path + "/" + i + "/" + keyField, "value", actualName));
                operations.add(Map.of("op", "remove", "path", path + "/" + i));
            }
        }
    }

    private static PodSpec podSpec(Deployment deployment) {
        return deployment.getSpec() == null || deployment.getSpec().getTemplate() == null ? null
                : deployment.getSpec().getTemplate().getSpec();
    }
}
