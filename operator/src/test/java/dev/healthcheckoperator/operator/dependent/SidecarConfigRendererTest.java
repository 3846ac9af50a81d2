package dev.healthcheckoperator.operator.dependent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.DnsAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.DnsMatch;
import dev.healthcheckoperator.operator.crd.v1alpha1.DnsRecordType;
import dev.healthcheckoperator.operator.crd.v1alpha1.FlapDetectionSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.GrpcAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpBody;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpGetAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretKeyRef;
import dev.healthcheckoperator.operator.crd.v1alpha1.SecretValueSource;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpHeader;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpRequestMethod;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpScheme;
import dev.healthcheckoperator.operator.crd.v1alpha1.JsonBodyAssertion;
import dev.healthcheckoperator.operator.crd.v1alpha1.TlsCertificateAction;
import dev.healthcheckoperator.operator.testsupport.TestHealthChecks;

/** checks.json must be exactly the sidecar's format (version 1), nothing the sidecar does not know. */
class SidecarConfigRendererTest {

    @Test
    void rendersTheSidecarFormat() throws Exception {
        HealthCheckSpec spec = new HealthCheckSpec();
        spec.setPeriodSeconds(10);
        spec.setTimeoutSeconds(2);
        spec.setFailureThreshold(3);
        spec.setSuccessThreshold(1);
        CheckSpec api = new CheckSpec();
        api.setName("api");
        api.setCritical(true);
        api.setPeriodSeconds(5);
        HttpGetAction httpGet = new HttpGetAction();
        httpGet.setUrl("http://checkout.shop.svc:8080/ready");
        httpGet.setHttpHeaders(List.of(new HttpHeader("X-Probe", "1")));
        httpGet.setExpectedStatuses(List.of(200));
        httpGet.setJsonBody(List.of(new JsonBodyAssertion("$.status", "UP")));
        httpGet.setFollowRedirects(false);
        api.setHttpGet(httpGet);
        spec.setChecks(List.of(api, TestHealthChecks.tcpCheck("db", "postgres.shop.svc", 5432, false)));

        JsonNode config = new ObjectMapper().readTree(SidecarConfigRenderer.render(spec));

        assertEquals(List.of("version", "periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold",
                "checks"), fieldNames(config));
        assertEquals(1, config.get("version").asInt());
        JsonNode first = config.get("checks").get(0);
        assertEquals(List.of("name", "critical", "periodSeconds", "httpGet"), fieldNames(first));
        assertEquals("X-Probe", first.get("httpGet").get("httpHeaders").get(0).get("name").asText());
        assertEquals("UP", first.get("httpGet").get("jsonBody").get(0).get("equals").asText());
        assertEquals(200, first.get("httpGet").get("expectedStatuses").get(0).asInt());
        assertFalse(first.get("httpGet").get("followRedirects").asBoolean(true), "followRedirects reaches the sidecar");
        JsonNode second = config.get("checks").get(1);
        assertEquals("postgres.shop.svc", second.get("tcpSocket").get("host").asText());
        assertFalse(second.has("httpGet"), "absent handlers are left out, not written as null");
    }

    @Test
    void everyHandlerIsWrittenInTheSidecarsTerms() throws Exception {
        HealthCheckSpec spec = new HealthCheckSpec();
        HttpGetAction httpGet = new HttpGetAction();
        httpGet.setHost("web.shop.svc");
        httpGet.setPort(8443);
        httpGet.setPath("/ready");
        httpGet.setScheme(HttpScheme.HTTPS);
        GrpcAction grpc = new GrpcAction();
        grpc.setHost("rpc.shop.svc");
        grpc.setPort(9090);
        grpc.setService("shop.Orders");
        CheckSpec web = new CheckSpec();
        web.setName("web");
        web.setHttpGet(httpGet);
        CheckSpec rpc = new CheckSpec();
        rpc.setName("rpc");
        rpc.setGrpc(grpc);
        spec.setChecks(List.of(web, rpc));

        JsonNode checks = new ObjectMapper().readTree(SidecarConfigRenderer.render(spec)).get("checks");

        assertEquals(new ObjectMapper().readTree(
                "{\"host\":\"web.shop.svc\",\"port\":8443,\"path\":\"/ready\",\"scheme\":\"HTTPS\"}"),
                checks.get(0).get("httpGet"));
        assertEquals(new ObjectMapper().readTree(
                "{\"host\":\"rpc.shop.svc\",\"port\":9090,\"service\":\"shop.Orders\"}"),
                checks.get(1).get("grpc"));
    }

    @Test
    void dnsTlsCertificateAndPostAreWrittenInTheSidecarsTerms() throws Exception {
        DnsAction dns = new DnsAction();
        dns.setName("shop.example.com");
        dns.setRecordType(DnsRecordType.AAAA);
        dns.setExpectedValues(List.of("fd00::1"));
        dns.setMatch(DnsMatch.ANY);
        dns.setServer("10.96.0.10:53");
        TlsCertificateAction tls = new TlsCertificateAction();
        tls.setHost("checkout.shop.svc");
        tls.setPort(8443);
        tls.setServerName("shop.example.com");
        tls.setExpiresWithinDays(30);
        tls.setInsecureSkipTlsVerify(true);
        HttpGetAction post = new HttpGetAction();
        post.setUrl("http://checkout.shop.svc:8080/graphql");
        post.setMethod(HttpRequestMethod.POST);
        post.setBody(new HttpBody("{\"query\":\"{ health }\"}"));
        post.setContentType("application/json");
        CheckSpec resolver = new CheckSpec();
        resolver.setName("resolver");
        resolver.setDns(dns);
        CheckSpec cert = new CheckSpec();
        cert.setName("cert");
        cert.setTlsCertificate(tls);
        CheckSpec graphql = new CheckSpec();
        graphql.setName("graphql");
        graphql.setHttpGet(post);
        HealthCheckSpec spec = new HealthCheckSpec();
        spec.setChecks(List.of(resolver, cert, graphql));

        JsonNode checks = new ObjectMapper().readTree(SidecarConfigRenderer.render(spec)).get("checks");

        assertEquals(new ObjectMapper().readTree("{\"name\":\"shop.example.com\",\"recordType\":\"AAAA\","
                + "\"expectedValues\":[\"fd00::1\"],\"match\":\"any\",\"server\":\"10.96.0.10:53\"}"),
                checks.get(0).get("dns"));
        assertEquals(List.of("name", "dns"), fieldNames(checks.get(0)));
        assertEquals(new ObjectMapper().readTree("{\"host\":\"checkout.shop.svc\",\"port\":8443,"
                + "\"serverName\":\"shop.example.com\",\"expiresWithinDays\":30,\"insecureSkipTlsVerify\":true}"),
                checks.get(1).get("tlsCertificate"));
        assertEquals(new ObjectMapper().readTree("{\"url\":\"http://checkout.shop.svc:8080/graphql\","
                + "\"method\":\"POST\",\"body\":{\"value\":\"{\\\"query\\\":\\\"{ health }\\\"}\"},"
                + "\"contentType\":\"application/json\"}"), checks.get(2).get("httpGet"));
    }

    /**
     * A file with a check a version-1 sidecar would misjudge (an unknown kind, a POST it would send as a GET, a
     * Secret header it would leave out) says version 2, which such a sidecar refuses by name; without them it stays 1.
     */
    @Test
    void theNewFieldsThatAnOlderSidecarWouldMisjudgeMakeItVersion2() throws Exception {
        HttpGetAction post = new HttpGetAction();
        post.setUrl("http://checkout.shop.svc:8080/graphql");
        post.setMethod(HttpRequestMethod.POST);
        CheckSpec graphql = new CheckSpec();
        graphql.setName("graphql");
        graphql.setHttpGet(post);
        DnsAction dns = new DnsAction();
        dns.setName("shop.example.com");
        dns.setRecordType(DnsRecordType.A);
        CheckSpec resolver = new CheckSpec();
        resolver.setName("resolver");
        resolver.setDns(dns);
        HttpHeader secretHeader = new HttpHeader();
        secretHeader.setName("Authorization");
        secretHeader.setValueFrom(new SecretValueSource(new SecretKeyRef("api-token", "token")));
        HttpGetAction authorized = new HttpGetAction();
        authorized.setUrl("http://checkout.shop.svc:8080/ready");
        authorized.setHttpHeaders(List.of(secretHeader));
        CheckSpec api = new CheckSpec();
        api.setName("api");
        api.setHttpGet(authorized);
        CheckSpec db = TestHealthChecks.tcpCheck("db", "postgres.shop.svc", 5432, false);

        for (CheckSpec newKind : List.of(graphql, resolver, api)) {
            HealthCheckSpec spec = new HealthCheckSpec();
            spec.setChecks(List.of(db, newKind));
            assertEquals(2, new ObjectMapper().readTree(SidecarConfigRenderer.render(spec)).get("version").asInt(),
                    newKind.getName());
        }
        HealthCheckSpec old = new HealthCheckSpec();
        old.setChecks(List.of(db));
        assertEquals(1, new ObjectMapper().readTree(SidecarConfigRenderer.render(old)).get("version").asInt());
    }

    @Test
    void aCheckWithoutTheNewFieldsRendersAsBefore() throws Exception {
        HealthCheckSpec spec = new HealthCheckSpec();
        spec.setChecks(List.of(TestHealthChecks.tcpCheck("db", "postgres.shop.svc", 5432, false)));
        assertEquals("{\"version\":1,\"checks\":[{\"name\":\"db\",\"critical\":false,"
                + "\"tcpSocket\":{\"host\":\"postgres.shop.svc\",\"port\":5432}}]}",
                new ObjectMapper().readTree(SidecarConfigRenderer.render(spec)).toString(),
                "the same file (and hash) as before dns and tlsCertificate existed, so an upgrade rolls no sidecar");
    }

    @Test
    void timingsLeftEmptyAreLeftOut() throws Exception {
        HealthCheckSpec spec = new HealthCheckSpec();
        spec.setPeriodSeconds(30);

        JsonNode config = new ObjectMapper().readTree(SidecarConfigRenderer.render(spec));

        assertEquals(Set.of("version", "periodSeconds", "checks"), Set.copyOf(fieldNames(config)));
    }

    @Test
    void theHashFollowsTheConfig() {
        HealthCheckSpec spec = new HealthCheckSpec();
        spec.setChecks(List.of(TestHealthChecks.tcpCheck("db", "postgres.shop.svc", 5432, false)));
        String before = SidecarConfigRenderer.hash(spec);
        assertEquals(before, SidecarConfigRenderer.hash(spec), "stable for the same spec");

        spec.setChecks(List.of(TestHealthChecks.tcpCheck("db", "postgres.shop.svc", 5433, false)));
        assertNotEquals(before, SidecarConfigRenderer.hash(spec));
    }

    @Test
    void flapDetectionIsWrittenOnlyWhereTheCheckSetsIt() throws Exception {
        HealthCheckSpec spec = new HealthCheckSpec();
        CheckSpec plain = TestHealthChecks.tcpCheck("db", "postgres.shop.svc", 5432, false);
        spec.setChecks(List.of(plain));
        String withoutFlapDetection = SidecarConfigRenderer.hash(spec);
        CheckSpec tuned = TestHealthChecks.tcpCheck("cache", "redis.shop.svc", 6379, false);
        FlapDetectionSpec flapDetection = new FlapDetectionSpec();
        flapDetection.setEnabled(true);
        flapDetection.setWindow(10);
        flapDetection.setMaxTransitions(2);
        tuned.setFlapDetection(flapDetection);
        spec.setChecks(List.of(plain, tuned));

        JsonNode checks = new ObjectMapper().readTree(SidecarConfigRenderer.render(spec)).get("checks");

        assertFalse(checks.get(0).has("flapDetection"), "left to the sidecar's defaults");
        assertEquals(new ObjectMapper().readTree("{\"enabled\":true,\"window\":10,\"maxTransitions\":2}"),
                checks.get(1).get("flapDetection"));
        spec.setChecks(List.of(plain));
        assertEquals(withoutFlapDetection, SidecarConfigRenderer.hash(spec),
                "a HealthCheck that does not use it keeps its checks file, so an upgrade rolls no sidecar");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
