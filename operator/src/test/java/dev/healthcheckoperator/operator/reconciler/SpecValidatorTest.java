package dev.healthcheckoperator.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.DnsAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.DnsRecordType;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.testsupport.TestHealthChecks;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;

/** What the schema cannot judge; each problem names its field. */
class SpecValidatorTest {

    @Test
    void aPlainHealthCheckIsValid() {
        assertEquals(List.of(), SpecValidator.validate(named("checkout")));
    }

    @Test
    void theNameMustFitTheServiceName() {
        assertEquals(List.of(), SpecValidator.validate(named("a".repeat(51))));
        assertProblem(named("a".repeat(52)), "metadata.name");
        assertProblem(named("1checkout"), "metadata.name");
        assertProblem(named("check.out"), "metadata.name");
    }

    /** The schema judges A and AAAA values; these forms would cost more CEL than the API server allows. */
    @Test
    void dnsExpectedValuesMustHaveTheFormOfTheirType() {
        HealthCheck hc = named("checkout");
        hc.getSpec().setChecks(List.of(dns("cname", DnsRecordType.CNAME, "shop.example.com.", "http://a"),
                dns("mx", DnsRecordType.MX, "10  mail.example.com", "mail.example.com", "65536 mail.example.com"),
                dns("srv", DnsRecordType.SRV, "0 5 5060 sip.example.com", "0 5 sip.example.com"),
                dns("txt", DnsRecordType.TXT, "v=spf1 -all", "  ")));
        assertEquals(List.of("spec.checks[0].dns.expectedValues[1]: 'http://a' is not a DNS name",
                "spec.checks[1].dns.expectedValues[1]: 'mail.example.com' is not 'preference exchange', e.g. "
                        + "'10 mail.example.com'",
                "spec.checks[1].dns.expectedValues[2]: '65536 mail.example.com' is not 'preference exchange', e.g. "
                        + "'10 mail.example.com'",
                "spec.checks[2].dns.expectedValues[1]: '0 5 sip.example.com' is not 'priority weight port target', "
                        + "e.g. '0 5 5060 sip.example.com'",
                "spec.checks[3].dns.expectedValues[1]: must not be blank"), SpecValidator.validate(hc));
    }

    private static CheckSpec dns(String name, DnsRecordType type, String... expected) {
        DnsAction dns = new DnsAction();
        dns.setName("shop.example.com");
        dns.setRecordType(type);
        dns.setExpectedValues(List.of(expected));
        CheckSpec check = new CheckSpec();
        check.setName(name);
        check.setDns(dns);
        return check;
    }

    @Test
    void requestsMustNotExceedLimits() {
        HealthCheck hc = named("checkout");
        hc.getSpec().setResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("2"))
                .addToLimits("cpu", new Quantity("500m")).addToRequests("memory", new Quantity("64Mi"))
                .addToLimits("memory", new Quantity("1Gi")).build());
        assertEquals(List.of("spec.resources.requests.cpu: 2 is more than the limit 500m"), SpecValidator.validate(hc));
    }

    @Test
    void quantitiesMustParse() {
        HealthCheck hc = named("checkout");
        hc.getSpec().setResources(new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("lots"))
                .build());
        assertProblem(hc, "spec.resources.limits.memory: 'lots' is not a quantity");
    }

    @Test
    void podLabelsMustBeLabels() {
        HealthCheck hc = named("checkout");
        hc.getSpec().setPodLabels(Map.of("team", "shop", "example.com/tier", "probe"));
        assertEquals(List.of(), SpecValidator.validate(hc));

        hc.getSpec().setPodLabels(Map.of("team", "-shop"));
        assertProblem(hc, "spec.podLabels[team]: value '-shop'");
        hc.getSpec().setPodLabels(Map.of("bad key!", "x"));
        assertProblem(hc, "spec.podLabels[bad key!]: not a valid key");
        hc.getSpec().setPodLabels(Map.of("team", "x".repeat(64)));
        assertProblem(hc, "spec.podLabels[team]");
    }

    @Test
    void podAnnotationKeysMustBeQualifiedNamesButValuesAreFree() {
        HealthCheck hc = named("checkout");
        hc.getSpec().setPodAnnotations(Map.of("example.com/owner", "anything at all, even: spaces"));
        assertEquals(List.of(), SpecValidator.validate(hc));

        hc.getSpec().setPodAnnotations(Map.of("Example.com/owner", "x"));
        assertProblem(hc, "spec.podAnnotations[Example.com/owner]");
    }

    /** The checks file travels in a pod annotation: with the user's annotations it must fit the API server's limit. */
    @Test
    void theChecksFileAndPodAnnotationsMustFitAPodsAnnotations() {
        HealthCheck hc = named("checkout");
        hc.getSpec().setChecks(TestHealthChecks.largePosts(30));
        assertEquals(List.of(), SpecValidator.validate(hc));

        hc.getSpec().setPodAnnotations(Map.of("example.com/notes", "n".repeat(16 * 1024)));
        assertProblem(hc, "spec.checks: the rendered checks file takes ");
        assertProblem(hc, "more than the " + (SpecValidator.MAX_POD_ANNOTATION_BYTES
                - SpecValidator.POD_ANNOTATION_RESERVE_BYTES) + " allowed");

        hc.getSpec().setPodAnnotations(null);
        hc.getSpec().setChecks(TestHealthChecks.largePosts(64));
        assertEquals(1, SpecValidator.validate(hc).size(), SpecValidator.validate(hc).toString());
    }

    private static HealthCheck named(String name) {
        return TestHealthChecks.healthCheck("shop", name, 8080,
                TestHealthChecks.tcpCheck("db", "postgres.shop.svc", 5432, false));
    }

    private static void assertProblem(HealthCheck hc, String fragment) {
        List<String> problems = SpecValidator.validate(hc);
        assertTrue(problems.stream().anyMatch(p -> p.contains(fragment)), fragment + " not in " + problems);
    }
}
