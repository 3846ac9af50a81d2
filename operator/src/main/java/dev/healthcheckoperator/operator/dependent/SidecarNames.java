package dev.healthcheckoperator.operator.dependent;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;

/** Names and labels of the objects owned by a HealthCheck, derived from it so they are found again on every reconcile. */
public final class SidecarNames {

    public static final String SUFFIX = "-healthcheck";
    /** A Service name is a DNS-1035 label (63 characters), so the HealthCheck name may use what the suffix leaves. */
    public static final int MAX_HEALTHCHECK_NAME_LENGTH = 63 - SUFFIX.length();
    public static final String CONFIG_KEY = "checks.json";
    public static final String HEALTH_PORT_NAME = "health";
    public static final String DIAGNOSTICS_PORT_NAME = "diagnostics";
    public static final String CONFIG_HASH_ANNOTATION = "healthcheck-operator.dev/config-hash";
    /**
     * On a checks-file ConfigMap: the latest HealthCheck generation that used it, so old ones are ordered by when
     * they were last needed (creation times have a one-second grain, and a configuration can come back).
     */
    public static final String LAST_USED_GENERATION_ANNOTATION = "healthcheck-operator.dev/last-used-generation";
    public static final String MANAGED_BY = "healthcheck-operator";
    /** Carries the HealthCheck's name on every owned object and sidecar pod. */
    public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";

    private SidecarNames() {
    }

    /** The common name of the Deployment, the Service and the NetworkPolicy (the ConfigMap adds a hash). */
    public static String resourceName(HealthCheck healthCheck) {
        return healthCheck.getMetadata().getName() + SUFFIX;
    }

    /**
     * The ConfigMap of the current checks file: named by its content, never changed once written (immutable), so a
     * rollback or a pinned old ReplicaSet keeps the file its sidecar understands.
     */
    public static String configMapName(HealthCheck healthCheck) {
        return resourceName(healthCheck) + "-" + SidecarConfigRenderer.hash(healthCheck.getSpec());
    }

    /** The labels the Deployment selects its pods by; they never change for a given HealthCheck. */
    public static Map<String, String> selectorLabels(HealthCheck healthCheck) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "healthcheck-sidecar");
        labels.put(INSTANCE_LABEL, healthCheck.getMetadata().getName());
        return labels;
    }

    public static Map<String, String> labels(HealthCheck healthCheck) {
        Map<String, String> labels = selectorLabels(healthCheck);
        labels.put("app.kubernetes.io/component", "probe");
        labels.put("app.kubernetes.io/part-of", "healthcheck-operator");
        labels.put("app.kubernetes.io/managed-by", MANAGED_BY);
        return labels;
    }

    /** The in-cluster URL of the sidecars' /health, as written to status.endpoint. */
    public static String inClusterEndpoint(HealthCheck healthCheck) {
        return "http://" + resourceName(healthCheck) + "." + healthCheck.getMetadata().getNamespace() + ".svc:"
                + healthCheck.getSpec().getPort() + "/health";
    }
}
