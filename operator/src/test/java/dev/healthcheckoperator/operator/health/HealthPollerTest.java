package dev.healthcheckoperator.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.config.OperatorConfig.PollMode;
import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.testsupport.StubSidecar;
import dev.healthcheckoperator.operator.testsupport.TestHealthChecks;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

class HealthPollerTest {

    @Test
    void templatesAreFilledFromTheTarget() {
        PollTarget target = new PollTarget("shop", "checkout", "checkout-healthcheck", 8080);
        assertEquals("http://checkout-healthcheck.shop.svc:8080/health",
                target.expand(UrlTemplateFetcher.SERVICE_DNS_TEMPLATE));
        assertEquals("http://127.0.0.1:8080/shop/checkout", target.expand("http://127.0.0.1:{port}/{namespace}/{name}"));
    }

    @Test
    void anExplicitModeIsKept() {
        for (PollMode mode : new PollMode[] { PollMode.DIRECT, PollMode.SERVICE_DNS, PollMode.API_SERVER_PROXY }) {
            assertEquals(mode, HealthPoller.resolveMode(mode));
        }
    }

    @Test
    void directFetchReadsTheSidecar() throws Exception {
        try (StubSidecar sidecar = new StubSidecar()) {
            sidecar.answer("down", "db:failing:critical");
            UrlTemplateFetcher fetcher = new UrlTemplateFetcher("http://127.0.0.1:{port}/health", Duration.ofSeconds(2));
            SidecarResponse response = fetcher.fetch(new PollTarget("ns", "hc", "hc-healthcheck", sidecar.port()));
            assertEquals(503, response.statusCode());
            assertTrue(response.body().contains("\"status\":\"down\""));
        }
    }

    @Test
    void apiServerProxyUrlGoesThroughTheServiceProxy() {
        try (var client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl("https://10.0.0.1:6443")
                        .build())
                .build()) {
            ApiServerProxyFetcher fetcher = new ApiServerProxyFetcher(client, 1000);
            assertEquals("https://10.0.0.1:6443/api/v1/namespaces/shop/services/checkout-healthcheck:health/proxy/health",
                    fetcher.describe(new PollTarget("shop", "checkout", "checkout-healthcheck", 8080)));
        }
    }

    @Test
    void nothingListeningIsUnknownWithAMessageThatDoesNotChangeFromPollToPoll() {
        int port = TestHealthChecks.freePort();
        HealthPoller poller = new HealthPoller(null,
                new UrlTemplateFetcher("http://127.0.0.1:{port}/health", Duration.ofSeconds(1)));
        PollTarget target = new PollTarget("ns", "hc", "hc-healthcheck", port);

        HealthReport report = poller.poll(target);

        assertEquals(Health.Unknown, report.health());
        assertEquals("SidecarUnreachable", report.reason());
        assertEquals("GET http://127.0.0.1:" + port + "/health failed: ConnectException", report.message());
        assertEquals(report, poller.poll(target));
    }
}
