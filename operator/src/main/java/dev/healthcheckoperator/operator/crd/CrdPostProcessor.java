package dev.healthcheckoperator.operator.crd;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;

/**
 * What the CRD generator cannot express, applied to the CRD it generates (quarkus.operator-sdk.crd.post-processor
 * at build time; CrdUpToDateTest applies it too):
 * <ul>
 * <li>printer columns in the order they are declared on {@link HealthCheck}: the generator sorts them by JSON path,
 * which puts Age first, and kubectl prints them in the CRD's order;</li>
 * <li>{@code status.conditions} and {@code status.checks} as list-maps keyed by {@code type} and {@code name}, as
 * metav1.Condition lists are: the API server refuses two entries with the same key, and server-side apply merges
 * entries by key instead of replacing the list;</li>
 * <li>{@code lastTransitionTime} formatted as {@code date-time}, which the API server then validates.</li>
 * </ul>
 */
public class CrdPostProcessor implements CRDPostProcessor {

    /** Status lists and the fields that identify their entries. */
    private static final Map<String, String> LIST_MAP_KEYS = Map.of("conditions", "type", "checks", "name");

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (crd instanceof CustomResourceDefinition definition) {
            for (CustomResourceDefinitionVersion version : definition.getSpec().getVersions()) {
                orderColumns(version);
                JSONSchemaProps status = version.getSchema() == null ? null
                        : version.getSchema().getOpenAPIV3Schema().getProperties().get("status");
                if (status != null) {
                    LIST_MAP_KEYS.forEach((list, key) -> keyList(status.getProperties().get(list), key));
                }
            }
        }
        return crd;
    }

    private static void orderColumns(CustomResourceDefinitionVersion version) {
        List<String> declared = Arrays.stream(HealthCheck.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name).toList();
        if (version.getAdditionalPrinterColumns() != null) {
            version.getAdditionalPrinterColumns().sort(Comparator.comparingInt(
                    (CustomResourceColumnDefinition column) -> declared.indexOf(column.getName())));
        }
    }

    private static void keyList(JSONSchemaProps list, String key) {
        if (list == null || list.getItems() == null || list.getItems().getSchema() == null) {
            return;
        }
        list.setXKubernetesListType("map");
        list.setXKubernetesListMapKeys(List.of(key));
        JSONSchemaProps lastTransition = list.getItems().getSchema().getProperties().get("lastTransitionTime");
        if (lastTransition != null) {
            lastTransition.setFormat("date-time");
        }
    }
}
