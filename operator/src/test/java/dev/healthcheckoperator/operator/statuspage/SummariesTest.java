package dev.healthcheckoperator.operator.statuspage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.CheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.GrpcAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpGetAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpHeader;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpScheme;
import dev.healthcheckoperator.operator.testsupport.TestHealthChecks;

class SummariesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "http://user:pass@checkout.shop.svc:8080/ready?token=abc#x, http://checkout.shop.svc:8080/ready",
            "https://checkout.shop.svc/ready, https://checkout.shop.svc/ready",
            "http://[::1]:9000/h?q=1, http://[::1]:9000/h",
            "http://token@10.0.0.1, http://10.0.0.1"
    })
    void anHttpUrlIsShownWithoutUserinfoOrQuery(String url, String shown) {
        CheckSpec check = TestHealthChecks.httpCheck("api", url);
        assertEquals(shown, Summaries.target(check));
        assertEquals("httpGet", Summaries.kind(check));
    }

    @Test
    void hostPortAndPathAreShownWithoutTheQuery() {
        CheckSpec check = new CheckSpec();
        HttpGetAction httpGet = new HttpGetAction();
        httpGet.setHost("checkout.shop.svc");
        httpGet.setPort(8443);
        httpGet.setScheme(HttpScheme.HTTPS);
        httpGet.setPath("/ready?key=secret");
        check.setHttpGet(httpGet);
        assertEquals("https://checkout.shop.svc:8443/ready", Summaries.target(check));
    }

    @Test
    void tcpAndGrpcTargets() {
        assertEquals("postgres.shop.svc:5432",
                Summaries.target(TestHealthChecks.tcpCheck("db", "postgres.shop.svc", 5432, true)));
        CheckSpec grpc = new CheckSpec();
        GrpcAction action = new GrpcAction();
        action.setHost("fd00::1");
        action.setPort(50051);
        action.setService("payments.v1");
        grpc.setGrpc(action);
        assertEquals("[fd00::1]:50051 (payments.v1)", Summaries.target(grpc));
        assertEquals("grpc", Summaries.kind(grpc));
    }

    @Test
    void headersNeverAppear() {
        CheckSpec check = TestHealthChecks.httpCheck("api", "http://checkout.shop.svc/ready");
        check.getHttpGet().setHttpHeaders(List.of(new HttpHeader("Authorization", "Bearer s3cr3t")));
        HealthCheck hc = TestHealthChecks.healthCheck("shop", "checkout", 8080, check);
        String shown = Summaries.of(hc).toString();
        assertFalse(shown.contains("s3cr3t"), shown);
        assertFalse(shown.contains("Authorization"), shown);
    }

    @Test
    void messagesLoseUrlCredentialsAndQueriesAndAreCapped() {
        assertEquals("GET http://api.shop/x failed: connection refused",
                Summaries.redact("GET http://alice:pw@api.shop/x?sig=123 failed: connection refused"));
        String capped = Summaries.redact("x".repeat(1_000_000));
        assertEquals(Summaries.MAX_MESSAGE_LENGTH + 3, capped.length());
    }

    @Test
    void aCheckWithoutAResultYetIsUnknownAndAResultWithoutASpecStillShows() {
        HealthCheck hc = TestHealthChecks.healthCheck("shop", "checkout", 8080,
                TestHealthChecks.tcpCheck("db", "postgres.shop.svc", 5432, true));
        CheckStatus old = new CheckStatus();
        old.setName("removed");
        old.setHealthy(false);
        old.setReason("Timeout");
        hc.setStatus(new HealthCheckStatus());
        hc.getStatus().setChecks(List.of(old));
        HealthCheckSummary summary = Summaries.of(hc);
        assertEquals("Unknown", summary.health());
        assertEquals(null, summary.ready());
        assertEquals(List.of(
                new HealthCheckSummary.Check("db", "tcpSocket", "postgres.shop.svc:5432", true, "unknown", null, null,
                        null),
                new HealthCheckSummary.Check("removed", null, null, false, "failing", "Timeout", null, null)),
                summary.checks());
        assertTrue(summary.checks().get(0).critical());
    }
}
