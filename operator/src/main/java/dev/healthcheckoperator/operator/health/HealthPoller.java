package dev.healthcheckoperator.operator.health;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.healthcheckoperator.operator.config.OperatorConfig.PollMode;
import dev.healthcheckoperator.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Polls one sidecar and turns whatever happens (answer, error, timeout) into a {@link HealthReport}. */
@ApplicationScoped
public class HealthPoller {

    private static final Logger LOG = Logger.getLogger(HealthPoller.class);
    private static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    private final OperatorConfig.Poll config;
    private final SidecarFetcher fetcher;

    @Inject
    public HealthPoller(OperatorConfig config, KubernetesClient kubernetesClient) {
        this(config.poll(), fetcherFor(config.poll(), kubernetesClient));
    }

    HealthPoller(OperatorConfig.Poll config, SidecarFetcher fetcher) {
        this.config = config;
        this.fetcher = fetcher;
    }

    private static SidecarFetcher fetcherFor(OperatorConfig.Poll config, KubernetesClient kubernetesClient) {
        PollMode mode = resolveMode(config.mode());
        LOG.infof("Polling sidecars in %s mode", mode);
        return switch (mode) {
            case API_SERVER_PROXY -> new ApiServerProxyFetcher(kubernetesClient, config.timeout().toMillis());
            case DIRECT -> new UrlTemplateFetcher(config.directUrlTemplate(), config.timeout());
            default -> new UrlTemplateFetcher(UrlTemplateFetcher.SERVICE_DNS_TEMPLATE, config.timeout());
        };
    }

    /** Inside a pod the Service DNS names resolve; outside, only the API server can reach the Services. */
    static PollMode resolveMode(PollMode configured) {
        if (configured != PollMode.AUTO) {
            return configured;
        }
        boolean inPod = System.getenv("KUBERNETES_SERVICE_HOST") != null && Files.exists(SERVICE_ACCOUNT_TOKEN);
        return inPod ? PollMode.SERVICE_DNS : PollMode.API_SERVER_PROXY;
    }

    public OperatorConfig.Poll config() {
        return config;
    }

    public HealthReport poll(PollTarget target) {
        try {
            return SidecarReportParser.parse(fetcher.fetch(target));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HealthReport.unknown("SidecarUnreachable", "polling was interrupted");
        } catch (Exception e) {
            LOG.debugf(e, "Polling %s failed", fetcher.describe(target));
            // The exception type, not its text: texts carry ports and timings that change on every poll.
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            return HealthReport.unknown("SidecarUnreachable",
                    "GET " + fetcher.describe(target) + " failed: " + cause.getClass().getSimpleName());
        }
    }
}
