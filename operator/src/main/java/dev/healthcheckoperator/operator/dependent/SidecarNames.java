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
     * On the sidecar pod template: the rendered checks file itself, which a downwardAPI volume shows the sidecar as
     * {@link #CONFIG_KEY}. A new checks file is a new pod template, so it rolls the pods, and every ReplicaSet keeps
     * the file its pods were started with, with no object of its own to create, watch or clean up.
     */
    public static final String CHECKS_ANNOTATION = "healthcheck-operator.dev/checks";
    /** On the Deployment: the HealthCheck generation it was rendered for. */
    public static final String RENDERED_FOR_GENERATION_ANNOTATION = "healthcheck-operator.dev/rendered-for-generation";
    /**
     * On the Deployment: a digest of its spec as the operator rendered it. With the generation it tells an operator
     * upgrade's new rendering (paced, see RolloutPacer) from a change of the spec or an edit by someone else.
     */
    public static final String RENDERED_HASH_ANNOTATION = "healthcheck-operator.dev/rendered-hash";
    public static final String MANAGED_BY = "healthcheck-operator";
    /** Carries the HealthCheck's name on every owned object and sidecar pod. */
    public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";

    private SidecarNames() {
    }

    /** The common name of the Deployment, the Service and the NetworkPolicy. */
    public static String resourceName(HealthCheck healthCheck) {
        return healthCheck.getMetadata().getName() + SUFFIX;
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
