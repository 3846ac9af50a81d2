package dev.healthcheckoperator.operator.crd.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.healthcheckoperator.operator.crd.CrdPostProcessor;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import io.fabric8.crdv2.generator.CRDGenerator;

/** crds/ is what users install: it must be exactly what the Java model generates. */
class CrdUpToDateTest {

    @Test
    void checkedInCrdMatchesTheModel(@TempDir Path dir) throws IOException {
        new CRDGenerator().customResourceClasses(HealthCheck.class).forCRDVersions("v1").inOutputDir(dir.toFile())
                .withPostProcessor(new CrdPostProcessor()).generate();
        String generated = Files.readString(dir.resolve("healthchecks.healthcheck-operator.dev-v1.yml"));
        String checkedIn = Files.readString(ControlPlane.CRD_FILE);
        assertEquals(generated, checkedIn, "crds/ is stale: copy operator/target/kubernetes/"
                + "healthchecks.healthcheck-operator.dev-v1.yml (written by mvn package) to crds/");
    }

    @Test
    void theKustomizationShipsTheSameCrd() throws IOException {
        assertEquals(Files.readString(ControlPlane.CRD_FILE),
                Files.readString(ControlPlane.DEPLOY_DIR.resolve("crd").resolve(ControlPlane.CRD_FILE.getFileName())),
                "deploy/crd/ must be a copy of crds/ (kustomize reads nothing outside deploy/)");
    }

    /** helm installs the CRDs of the chart's crds/ directory; a chart package holds nothing outside the chart. */
    @Test
    void theHelmChartShipsTheSameCrd() throws IOException {
        Path chartCrds = ControlPlane.CRD_FILE.getParent().resolveSibling("charts").resolve("healthcheck-operator")
                .resolve("crds");
        assertEquals(Files.readString(ControlPlane.CRD_FILE),
                Files.readString(chartCrds.resolve(ControlPlane.CRD_FILE.getFileName())),
                "charts/healthcheck-operator/crds/ must be a copy of crds/");
        try (var files = Files.list(chartCrds)) {
            assertEquals(List.of(ControlPlane.CRD_FILE.getFileName()), files.map(Path::getFileName).toList(),
                    "charts/healthcheck-operator/crds/ holds the one CRD of crds/ and nothing else");
        }
    }
}
