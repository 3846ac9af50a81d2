package dev.healthcheckoperator.operator.reconciler;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckSpec;
import dev.healthcheckoperator.operator.dependent.DeploymentDependent;
import dev.healthcheckoperator.operator.dependent.SidecarNames;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * The rules the CRD schema cannot express (or that would make the schema too costly for the API server's CEL
 * budget). A violation sets Ready=False with reason InvalidSpec and leaves every owned object as it is.
 */
public final class SpecValidator {

    private static final Pattern DNS_1035_LABEL = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
    private static final Pattern LABEL_NAME = Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
    private static final Pattern DNS_1123_SUBDOMAIN = Pattern
            .compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    /**
     * What the API server allows all of an object's annotations together (keys and values, in bytes): the sidecar
     * pods carry the checks file in one of theirs.
     */
    public static final int MAX_POD_ANNOTATION_BYTES = 256 * 1024;
    /**
     * Kept free of that for annotations others add to the pods later (kubectl rollout restart, admission
     * webhooks), so that such an addition is not what a pod is refused for.
     */
    static final int POD_ANNOTATION_RESERVE_BYTES = 4 * 1024;
    private static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");

    private SpecValidator() {
    }

    /** Every problem found, each naming its field; empty when the spec is valid. */
    public static List<String> validate(HealthCheck healthCheck) {
        List<String> problems = new ArrayList<>();
        String name = healthCheck.getMetadata().getName();
        if (name.length() > SidecarNames.MAX_HEALTHCHECK_NAME_LENGTH || !DNS_1035_LABEL.matcher(name).matches()) {
            problems.add("metadata.name: must start with a letter, contain only lowercase letters, digits and '-', "
                    + "and be at most " + SidecarNames.MAX_HEALTHCHECK_NAME_LENGTH
                    + " characters, because it names the sidecar Service");
        }
        HealthCheckSpec spec = healthCheck.getSpec();
        checkResources(spec.getResources(), problems);
        checkKeys("spec.podLabels", spec.getPodLabels(), true, problems);
        checkKeys("spec.podAnnotations", spec.getPodAnnotations(), false, problems);
        DnsExpectedValues.check(spec.getChecks(), problems);
        if (problems.isEmpty()) {
            checkPodAnnotationSize(spec, problems);
        }
        return problems;
    }

    /**
     * Each check is bounded by the schema, but 64 of them with long bodies and many headers can render a checks file
     * larger than a pod's annotations may hold; the Deployment would be refused with a message about annotations.
     */
    private static void checkPodAnnotationSize(HealthCheckSpec spec, List<String> problems) {
        Map<String, String> annotations = DeploymentDependent.podAnnotations(spec);
        long total = annotations.entrySet().stream().mapToLong(e -> utf8Length(e.getKey()) + utf8Length(e.getValue()))
                .sum();
        long allowed = MAX_POD_ANNOTATION_BYTES - POD_ANNOTATION_RESERVE_BYTES;
        if (total > allowed) {
            long checksFile = utf8Length(annotations.get(SidecarNames.CHECKS_ANNOTATION));
            problems.add("spec.checks: the rendered checks file takes " + checksFile + " bytes, and with "
                    + "spec.podAnnotations the sidecar pod's annotations would take " + total + " bytes, more than the "
                    + allowed + " allowed (the API server's " + MAX_POD_ANNOTATION_BYTES + " less "
                    + POD_ANNOTATION_RESERVE_BYTES + " kept for others); split the checks over more HealthChecks "
                    + "or shorten request bodies and headers");
        }
    }

    private static long utf8Length(String value) {
        return value == null ? 0 : value.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void checkResources(ResourceRequirements resources, List<String> problems) {
        if (resources == null) {
            return;
        }
        Map<String, BigDecimal> requests = amounts("spec.resources.requests", resources.getRequests(), problems);
        Map<String, BigDecimal> limits = amounts("spec.resources.limits", resources.getLimits(), problems);
        requests.forEach((resource, requested) -> {
            BigDecimal limit = limits.get(resource);
            if (limit != null && requested.compareTo(limit) > 0) {
                problems.add("spec.resources.requests." + resource + ": " + resources.getRequests().get(resource)
                        + " is more than the limit " + resources.getLimits().get(resource));
            }
        });
    }

    /** The schema takes any string as a quantity; the Deployment would be refused, so it is caught here. */
    private static Map<String, BigDecimal> amounts(String field, Map<String, Quantity> quantities,
            List<String> problems) {
        Map<String, BigDecimal> amounts = new TreeMap<>();
        if (quantities == null) {
            return amounts;
        }
        quantities.forEach((resource, quantity) -> {
            try {
                amounts.put(resource, Quantity.getAmountInBytes(quantity));
            } catch (RuntimeException e) {
                problems.add(field + "." + resource + ": '" + quantity + "' is not a quantity (e.g. 100m, 64Mi)");
            }
        });
        return amounts;
    }

    private static void checkKeys(String field, Map<String, String> entries, boolean valuesAreLabels,
            List<String> problems) {
        if (entries == null) {
            return;
        }
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            if (!isQualifiedName(entry.getKey())) {
                problems.add(field + "[" + entry.getKey() + "]: not a valid key (an optional DNS prefix and '/', then "
                        + "at most 63 letters, digits, '-', '_' or '.')");
            }
            String value = entry.getValue() == null ? "" : entry.getValue();
            if (valuesAreLabels && (value.length() > 63 || !LABEL_VALUE.matcher(value).matches())) {
                problems.add(field + "[" + entry.getKey() + "]: value '" + value + "' is not a valid label value "
                        + "(at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)");
            }
        }
    }

    private static boolean isQualifiedName(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_1123_SUBDOMAIN.matcher(prefix).matches()) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && LABEL_NAME.matcher(name).matches();
    }
}
