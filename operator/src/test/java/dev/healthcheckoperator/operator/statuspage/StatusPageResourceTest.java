package dev.healthcheckoperator.operator.statuspage;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.await;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.freePort;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.httpCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.markDeploymentAvailable;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.tcpCheck;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpHeader;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.KubeApiServerResource;
import dev.healthcheckoperator.operator.testsupport.StubSidecar;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * /api/v1/healthchecks of the operator running against a real API server: its shape, its paging, its refusals, and
 * the API server's TokenReview and SubjectAccessReview deciding who sees which namespace.
 */
@QuarkusTest
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusPageResourceTest {

    static final String API = "/api/v1/healthchecks";
    final KubernetesClient admin = ControlPlane.admin();
    final ObjectMapper json = new ObjectMapper();
    final List<StubSidecar> sidecars = new ArrayList<>();
    String shop;
    String billing;
    String clusterToken;

    @BeforeAll
    void namespacesAndViewers() {
        shop = ControlPlane.createNamespace(admin, "page-shop");
        billing = ControlPlane.createNamespace(admin, "page-billing");
        clusterToken = Viewers.clusterViewer(admin, billing, "everywhere");
    }

    @AfterAll
    void stopSidecars() {
        sidecars.forEach(StubSidecar::close);
    }

    @Test
    void showsEachHealthCheckWithItsChecksAndNoCredentials() throws Exception {
        StubSidecar sidecar = sidecar();
        sidecar.answer("down", "api:ok", "db:failing:critical");
        CheckSpec api = httpCheck("api", "http://alice:pa55word@checkout.shop.svc:8080/ready?token=t0ken");
        api.getHttpGet().setHttpHeaders(List.of(new HttpHeader("X-Api-Key", "k3y-value")));
        HealthCheck hc = create(healthCheck(shop, "checkout", sidecar.port(), api,
                tcpCheck("db", "postgres.shop.svc", 5432, true)));
        markDeploymentAvailable(admin, hc, 1);

        JsonNode item = await().until(() -> item(get(clusterToken, Map.of("namespace", shop)), "checkout"),
                node -> node != null && "Unhealthy".equals(node.path("health").asText())
                        && node.path("checks").size() == 2
                        && "failing".equals(node.path("checks").get(1).path("status").asText()));

        assertEquals(shop, item.path("namespace").asText());
        assertEquals("checkout", item.path("name").asText());
        assertTrue(item.path("ready").asBoolean());
        assertEquals("SidecarsAvailable", item.path("readyReason").asText());
        assertNotNull(item.path("healthTransitionTime").textValue());
        assertNotNull(item.path("readyTransitionTime").textValue());
        JsonNode first = item.path("checks").get(0);
        assertEquals("api", first.path("name").asText());
        assertEquals("httpGet", first.path("kind").asText());
        assertEquals("http://checkout.shop.svc:8080/ready", first.path("target").asText());
        assertFalse(first.path("critical").asBoolean());
        assertEquals("passing", first.path("status").asText());
        JsonNode second = item.path("checks").get(1);
        assertEquals("db", second.path("name").asText());
        assertEquals("tcpSocket", second.path("kind").asText());
        assertEquals("postgres.shop.svc:5432", second.path("target").asText());
        assertTrue(second.path("critical").asBoolean());
        assertEquals("ConnectionRefused", second.path("reason").asText());
        assertEquals("connection refused", second.path("message").asText());
        assertNotNull(second.path("lastTransitionTime").textValue());
        // Every field of a check is always there, null or not: a stable shape.
        assertEquals(List.of("name", "kind", "target", "critical", "status", "reason", "message",
                "lastTransitionTime"), fieldNames(first));

        String body = get(clusterToken, Map.of("namespace", shop)).asString();
        for (String secret : List.of("pa55word", "alice", "t0ken", "k3y-value", "X-Api-Key")) {
            assertFalse(body.contains(secret), secret + " in " + body);
        }
    }

    @Test
    void theAnswerHasItsDocumentedEnvelope() throws Exception {
        JsonNode answer = json.readTree(get(clusterToken, Map.of("limit", "1")).then().statusCode(200)
                .header("Cache-Control", "no-store").extract().asString());
        assertEquals(List.of("apiVersion", "kind", "total", "continue", "namespaces", "items"), fieldNames(answer));
        assertEquals("status.healthcheck-operator.dev/v1", answer.path("apiVersion").asText());
        assertEquals("HealthCheckList", answer.path("kind").asText());
    }

    @Test
    void pagesWithContinueVisitEveryHealthCheckOnceInOrder() throws Exception {
        String paged = ControlPlane.createNamespace(admin, "page-paged");
        for (int i = 0; i < 7; i++) {
            create(healthCheck(paged, "hc-" + i, freePort(), tcpCheck("db", "db.example", 5432, false)));
        }
        await().until(() -> json.readTree(get(clusterToken, Map.of("namespace", paged)).asString())
                .path("total").asInt() == 7);

        List<String> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        List<Integer> totals = new ArrayList<>();
        String token = null;
        do {
            Map<String, String> query = token == null ? Map.of("namespace", paged, "limit", "3")
                    : Map.of("namespace", paged, "limit", "3", "continue", token);
            JsonNode page = json.readTree(get(clusterToken, query).then().statusCode(200).extract().asString());
            totals.add(page.path("total").asInt());
            page.path("items").forEach(item -> seen.add(item.path("name").asText()));
            sizes.add(page.path("items").size());
            token = page.path("continue").textValue();
            if (seen.size() == 3) {
                // Deleting one already seen shifts nothing: the next page starts after hc-2 by key.
                admin.resources(HealthCheck.class).inNamespace(paged).withName("hc-1").delete();
                await().until(() -> json.readTree(get(clusterToken, Map.of("namespace", paged)).asString())
                        .path("total").asInt() == 6);
            }
        } while (token != null);
        assertEquals(List.of("hc-0", "hc-1", "hc-2", "hc-3", "hc-4", "hc-5", "hc-6"), seen);
        assertEquals(List.of(3, 3, 1), sizes);
        assertEquals(List.of(7, 6, 6), totals);
    }

    @Test
    void filtersByHealth() throws Exception {
        String mixed = ControlPlane.createNamespace(admin, "page-health");
        StubSidecar sidecar = sidecar();
        sidecar.answer("ok", "api:ok");
        HealthCheck healthy = create(healthCheck(mixed, "healthy", sidecar.port(), httpCheck("api", "http://a/")));
        markDeploymentAvailable(admin, healthy, 1);
        create(healthCheck(mixed, "pending", freePort(), httpCheck("api", "http://a/")));
        await().until(() -> names(get(clusterToken, Map.of("namespace", mixed, "health", "Healthy")))
                .equals(List.of("healthy")));
        assertEquals(List.of("pending"), names(get(clusterToken, Map.of("namespace", mixed, "health", "Unknown"))));
        assertEquals(List.of("healthy", "pending"),
                names(get(clusterToken, Map.of("namespace", mixed, "health", "Healthy,Unknown"))));
        assertEquals(List.of(), names(get(clusterToken, Map.of("namespace", mixed, "health", "Unhealthy"))));
    }

    @Test
    void aTokenBoundToOneNamespaceSeesOnlyThatNamespace() throws Exception {
        create(healthCheck(shop, "cart", freePort(), tcpCheck("db", "db.example", 5432, false)));
        create(healthCheck(billing, "invoices", freePort(), tcpCheck("db", "db.example", 5432, false)));
        String shopToken = Viewers.namespaceViewer(admin, shop, "shop-viewer");
        await().until(() -> names(get(clusterToken, Map.of("namespace", billing))).contains("invoices")
                && names(get(clusterToken, Map.of("namespace", shop))).contains("cart"));

        JsonNode answer = json.readTree(get(shopToken, Map.of()).then().statusCode(200).extract().asString());
        assertEquals(List.of(shop), List.of(json.convertValue(answer.path("namespaces"), String[].class)));
        answer.path("items").forEach(item -> assertEquals(shop, item.path("namespace").asText()));
        assertTrue(names(get(shopToken, Map.of())).contains("cart"));
        assertEquals(List.of(), names(get(shopToken, Map.of("namespace", billing))));
        // The cluster-wide viewer sees both, and more.
        JsonNode everything = json.readTree(get(clusterToken, Map.of()).asString());
        List<String> namespaces = List.of(json.convertValue(everything.path("namespaces"), String[].class));
        assertTrue(namespaces.contains(shop) && namespaces.contains(billing), namespaces.toString());

        // The binding removed, the verdict expires (1 s in tests) and the namespace disappears.
        admin.rbac().roleBindings().inNamespace(shop).withName("shop-viewer").delete();
        await().until(() -> json.readTree(get(shopToken, Map.of()).asString()).path("total").asInt() == 0);
    }

    @Test
    void aTokenWithoutRightsSeesNothingAndNothingIsMarkedMissing() throws Exception {
        String token = Viewers.nobody(admin, shop, "nobody");
        JsonNode answer = json.readTree(get(token, Map.of()).then().statusCode(200).extract().asString());
        assertEquals(0, answer.path("total").asInt());
        assertEquals(0, answer.path("namespaces").size());
        assertNull(answer.path("continue").textValue());
    }

    @Test
    void withoutATokenTheAnswerIs401() {
        given().get(API).then().statusCode(401).header("WWW-Authenticate", "Bearer realm=\"healthcheck-operator\"")
                .body("error", org.hamcrest.Matchers.containsString("bearer token"));
    }

    @ParameterizedTest(name = "Authorization: {0}")
    @CsvSource({
            "Bearer not-a-token-the-api-server-issued",
            "Basic YWxpY2U6cGFzc3dvcmQ=",
            "'Bearer '",
            "Bearer two words"
    })
    void anUnusableAuthorizationIs401(String header) {
        given().header("Authorization", header).get(API).then().statusCode(401)
                .body("status", org.hamcrest.Matchers.equalTo(401));
    }

    @Test
    void anOverlongAuthorizationIs401Unsent() {
        given().header("Authorization", "Bearer " + "a".repeat(20_000)).get(API).then().statusCode(401)
                .body("error", org.hamcrest.Matchers.containsString("too long"));
    }

    @ParameterizedTest(name = "?{0}={1}")
    @CsvSource({
            "limit, 0, limit",
            "limit, 100000, limit",
            "limit, many, limit",
            "continue, garbage!, continue",
            "namespace, NOT_A_NAMESPACE, namespace",
            "health, Sick, health",
            "pageSize, 10, pageSize"
    })
    void aBadQueryParameterIs400NamingIt(String name, String value, String parameter) {
        given().header("Authorization", "Bearer " + clusterToken).queryParam(name, value).get(API).then()
                .statusCode(400).contentType("application/json")
                .body("parameter", org.hamcrest.Matchers.equalTo(parameter))
                .body("error", org.hamcrest.Matchers.containsString(parameter));
    }

    @Test
    void thePageItselfIsServedAtTheRoot() {
        given().get("/").then().statusCode(200).contentType(org.hamcrest.Matchers.containsString("text/html"))
                .header("Content-Security-Policy", org.hamcrest.Matchers.containsString("default-src 'self'"))
                .body(org.hamcrest.Matchers.containsString("status-page.js"));
        given().get("/status-page.js").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("/healthchecks"));
    }

    private Response get(String token, Map<String, String> query) {
        return given().header("Authorization", "Bearer " + token).queryParams(query).get(API);
    }

    private JsonNode item(Response response, String name) throws Exception {
        for (JsonNode item : json.readTree(response.asString()).path("items")) {
            if (name.equals(item.path("name").asText())) {
                return item;
            }
        }
        return null;
    }

    private List<String> names(Response response) throws Exception {
        List<String> names = new ArrayList<>();
        json.readTree(response.then().statusCode(200).extract().asString()).path("items")
                .forEach(item -> names.add(item.path("name").asText()));
        return names;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private HealthCheck create(HealthCheck hc) {
        return admin.resource(hc).create();
    }

    private StubSidecar sidecar() throws Exception {
        StubSidecar sidecar = new StubSidecar();
        sidecars.add(sidecar);
        return sidecar;
    }
}
