package dev.healthcheckoperator.operator.health;

import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.healthcheckoperator.operator.config.OperatorConfig;
import dev.healthcheckoperator.operator.config.OperatorConfig.PollMode;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Polls one sidecar and turns whatever happens (answer, error, timeout) into a {@link PollResult}, within one total
 * deadline that covers connect, headers and body. At the deadline the request is cancelled, not just abandoned.
 */
@ApplicationScoped
public class HealthPoller {

    private static final Logger LOG = Logger.getLogger(HealthPoller.class);
    private static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    private final OperatorConfig.Poll config;
    private final SidecarFetcher fetcher;
    private final PollProgress progress;
    /** Only fires deadlines: the work of a poll runs on the HTTP client's threads. */
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "healthcheck-poll-deadline");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public HealthPoller(OperatorConfig config, KubernetesClient kubernetesClient, PollProgress progress) {
        this(config.poll(), fetcherFor(config.poll(), kubernetesClient), progress);
    }

    HealthPoller(OperatorConfig.Poll config, SidecarFetcher fetcher, PollProgress progress) {
        this.config = config;
        this.fetcher = fetcher;
        this.progress = progress;
    }

    private static SidecarFetcher fetcherFor(OperatorConfig.Poll config, KubernetesClient kubernetesClient) {
        PollMode mode = resolveMode(config.mode());
        LOG.infof("Polling sidecars in %s mode", mode);
        return switch (mode) {
            case API_SERVER_PROXY -> new ApiServerProxyFetcher(kubernetesClient);
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

    PollProgress progress() {
        return progress;
    }

    /** Never fails and always completes, at the latest at the deadline. */
    public CompletableFuture<PollResult> poll(PollTarget target) {
        Duration timeout = config.timeout();
        CompletableFuture<PollResult> result = new CompletableFuture<>();
        CompletableFuture<SidecarResponse> exchange;
        try {
            exchange = fetcher.fetch(target, timeout);
        } catch (RuntimeException | Error e) {
            // A fetcher that throws instead of failing its future is a bug, but it must cost one poll, not polling.
            LOG.errorf(e, "Starting a poll of %s failed", fetcher.describe(target));
            result.complete(failure(target, e));
            return result;
        }
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            // Cancel first: the poll is over only once its work is.
            exchange.cancel(true);
            result.complete(timedOut(target, timeout));
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        exchange.whenComplete((response, error) -> {
            deadline.cancel(false);
            result.complete(error == null ? answer(response) : failure(target, error));
        });
        return result;
    }

    private static PollResult answer(SidecarResponse response) {
        HealthReport report = SidecarReportParser.parse(response);
        return new PollResult(report, !HealthReport.REASON_UNEXPECTED_RESPONSE.equals(report.reason()));
    }

    private PollResult timedOut(PollTarget target, Duration timeout) {
        return new PollResult(HealthReport.unknown(HealthReport.REASON_UNREACHABLE,
                "GET " + fetcher.describe(target) + ": no complete answer within " + format(timeout)), false);
    }

    private PollResult failure(PollTarget target, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof BoundedBody.BodyTooLargeException tooLarge) {
            return new PollResult(HealthReport.unknown(HealthReport.REASON_UNEXPECTED_RESPONSE,
                    "GET " + fetcher.describe(target) + ": the answer exceeds " + tooLarge.limit() / 1024 + " KiB"),
                    false);
        }
        if (cause instanceof HttpTimeoutException) {
            return timedOut(target, config.timeout());
        }
        LOG.debugf(cause, "Polling %s failed", fetcher.describe(target));
        // The exception type, not its text: texts carry ports and timings that change on every poll.
        return new PollResult(HealthReport.unknown(HealthReport.REASON_UNREACHABLE,
                "GET " + fetcher.describe(target) + " failed: " + cause.getClass().getSimpleName()), false);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof CancellationException ? new HttpTimeoutException("cancelled") : cause;
    }

    private static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    @PreDestroy
    void stop() {
        deadlines.shutdownNow();
    }
}
