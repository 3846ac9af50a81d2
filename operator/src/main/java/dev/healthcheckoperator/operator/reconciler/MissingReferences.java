package dev.healthcheckoperator.operator.reconciler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.healthcheckoperator.operator.crd.v1alpha1.DiagnosticsSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckSpec;
import dev.healthcheckoperator.operator.dependent.MountedReferences;
import dev.healthcheckoperator.operator.dependent.MountedReferences.Kind;
import dev.healthcheckoperator.operator.dependent.MountedReferences.Reference;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Whether every Secret and ConfigMap key the checks read exists, and the diagnostics token's. A pod whose volume names a missing object or key
 * never starts (the kubelet retries the mount and reports it only in pod Events); finding it here sets Ready=False
 * with a reason that names the object and key, and leaves the running sidecars as they are.
 *
 * <p>Each referenced object is read with a single {@code get} by name; the operator may not list or watch Secrets
 * (deploy/rbac.yaml), so it learns about a Secret created later by looking again after the recheck interval. Of a
 * Secret only the names of its keys are looked at; its values are neither kept nor written anywhere.
 */
final class MissingReferences {

    public static final String REASON_SECRET_NOT_FOUND = "SecretNotFound";
    public static final String REASON_CONFIG_MAP_NOT_FOUND = "ConfigMapNotFound";

    private MissingReferences() {
    }

    /** Ready=False naming every missing object or key (the reason of the first), or empty when all are there. */
    static Optional<ConditionState> check(HealthCheck healthCheck, KubernetesClient client) {
        String namespace = healthCheck.getMetadata().getNamespace();
        Map<String, Optional<Set<String>>> keysByObject = new HashMap<>();
        Set<String> problems = new LinkedHashSet<>();
        String reason = null;
        for (Reference reference : referencesOf(healthCheck.getSpec())) {
            Optional<Set<String>> keys = keysByObject.computeIfAbsent(reference.kind() + "/" + reference.name(),
                    k -> keysOf(client, namespace, reference.kind(), reference.name()));
            String object = reference.kind().displayName() + " " + reference.name();
            String problem = keys.isEmpty() ? object + " not found"
                    : keys.get().contains(reference.key()) ? null : object + " has no key " + reference.key();
            if (problem != null && problems.add(problem + " (" + reference.field() + ")") && reason == null) {
                reason = reference.kind() == Kind.SECRET ? REASON_SECRET_NOT_FOUND : REASON_CONFIG_MAP_NOT_FOUND;
            }
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ConditionState(ReadyCondition.TYPE, ConditionState.FALSE, reason,
                String.join("; ", problems) + " in namespace " + namespace + "; the sidecars are not updated until "
                        + "it exists"));
    }

    /**
     * What the checks read, and the diagnostics token when diagnostics are enabled: a pod whose token volume names
     * a missing Secret or key never starts either.
     */
    private static List<Reference> referencesOf(HealthCheckSpec spec) {
        List<Reference> references = new ArrayList<>(MountedReferences.of(spec));
        DiagnosticsSpec diagnostics = spec.getDiagnostics();
        if (diagnostics != null && Boolean.TRUE.equals(diagnostics.getEnabled())
                && diagnostics.getTokenSecretRef() != null) {
            references.add(new Reference(Kind.SECRET, diagnostics.getTokenSecretRef().getName(),
                    diagnostics.getTokenSecretRef().getKey(), "spec.diagnostics.tokenSecretRef"));
        }
        return references;
    }

    /** The key names of one object, or empty when it does not exist. */
    private static Optional<Set<String>> keysOf(KubernetesClient client, String namespace, Kind kind, String name) {
        Set<String> keys = new LinkedHashSet<>();
        if (kind == Kind.SECRET) {
            Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
            if (secret == null) {
                return Optional.empty();
            }
            addKeys(keys, secret.getData());
            addKeys(keys, secret.getStringData());
        } else {
            ConfigMap configMap = client.configMaps().inNamespace(namespace).withName(name).get();
            if (configMap == null) {
                return Optional.empty();
            }
            addKeys(keys, configMap.getData());
            addKeys(keys, configMap.getBinaryData());
        }
        return Optional.of(keys);
    }

    private static void addKeys(Set<String> keys, Map<String, String> entries) {
        if (entries != null) {
            keys.addAll(new ArrayList<>(entries.keySet()));
        }
    }
}
