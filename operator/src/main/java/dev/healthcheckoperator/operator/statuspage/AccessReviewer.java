package dev.healthcheckoperator.operator.statuspage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.healthcheckoperator.operator.health.BoundedExchange;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Who may see which namespaces, as the API server says: a TokenReview turns the bearer token into a user and groups,
 * then a SubjectAccessReview asks whether that user may `list healthchecks.healthcheck-operator.dev`, first
 * cluster-wide and, if not, in each namespace that holds a HealthCheck. Verdicts are reused for a few seconds
 * (bounded in number), so a page that polls costs the API server nothing most of the time.
 * <p>
 * All calls of one request share one deadline, which is also each HTTP request's timeout; at the deadline the calls
 * still running are cancelled (their connections closed) and the request fails: a verdict that was not reached is
 * never taken as a no, or as a yes.
 */
@ApplicationScoped
public class AccessReviewer {

    static final String ANONYMOUS = "anonymous";
    static final String GROUP = "healthcheck-operator.dev";
    static final String RESOURCE = "healthchecks";
    static final String VERB = "list";
    private static final String TOKEN_REVIEWS = "apis/authentication.k8s.io/v1/tokenreviews";
    private static final String SUBJECT_ACCESS_REVIEWS = "apis/authorization.k8s.io/v1/subjectaccessreviews";
    private static final Logger LOG = Logger.getLogger(AccessReviewer.class);
    private static final String BEARER = "bearer ";
    /** Far above any real token (a ServiceAccount JWT is about 1 KiB): the header is refused unread beyond it. */
    private static final int MAX_TOKEN_LENGTH = 16 * 1024;
    /** A TokenReview or SubjectAccessReview answer is a few KiB; a larger one is not from an API server. */
    private static final int MAX_ANSWER_BYTES = 256 * 1024;

    private final StatusPageConfig config;
    /** Only when the reviewer made its own client (tests): closed with it. */
    private final KubernetesClient ownClient;
    private final HttpClient httpClient;
    private final KubernetesSerialization serialization;
    private final String apiServer;
    /** SHA-256 of a token -> its user, or empty when the API server said it is not valid. */
    private final Cache<String, Optional<UserInfo>> users;
    /** Subject key + namespace ("" for cluster-wide) -> allowed. */
    private final Cache<String, Boolean> verdicts;

    @Inject
    public AccessReviewer(KubernetesClient operatorClient, StatusPageConfig config) {
        this(operatorClient, false, config);
    }

    /** A client of its own for this configuration, closed with the reviewer. */
    AccessReviewer(Config clientConfig, StatusPageConfig config) {
        this(new KubernetesClientBuilder().withConfig(clientConfig).build(), true, config);
    }

    private AccessReviewer(KubernetesClient client, boolean ownsClient, StatusPageConfig config) {
        this.config = config;
        this.ownClient = ownsClient ? client : null;
        // The operator's identity and connections, without retries: a retry after the deadline would be work
        // nobody waits for.
        this.httpClient = client.getHttpClient().newBuilder()
                .tag(new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                        .withRequestRetryBackoffLimit(0).build())
                .build();
        this.serialization = client.getKubernetesSerialization();
        String master = client.getMasterUrl().toString();
        this.apiServer = master.endsWith("/") ? master : master + "/";
        this.users = Caffeine.newBuilder().maximumSize(config.verdictCacheSize())
                .expireAfterWrite(config.verdictTtl()).build();
        this.verdicts = Caffeine.newBuilder().maximumSize(config.verdictCacheSize())
                .expireAfterWrite(config.verdictTtl()).build();
    }

    @PreDestroy
    void close() {
        if (ownClient != null) {
            ownClient.close();
        }
    }

    /**
     * @param authorization the Authorization header, if any
     * @param fromLoopback the request came from 127.0.0.0/8 or ::1 (the socket's address, never a forwarded header)
     * @param namespaces the namespaces to decide on: those that hold a HealthCheck
     * @throws NotAuthenticatedException no usable token where one is needed (401)
     * @throws ReviewUnavailableException the API server did not answer every review in time (503)
     */
    public Access review(Optional<String> authorization, boolean fromLoopback, Collection<String> namespaces) {
        if (authorization.isEmpty()) {
            StatusPageConfig.AnonymousAccess anonymous = config.anonymous();
            if (anonymous == StatusPageConfig.AnonymousAccess.ALL
                    || anonymous == StatusPageConfig.AnonymousAccess.LOOPBACK && fromLoopback) {
                return Access.everywhere(ANONYMOUS);
            }
            throw new NotAuthenticatedException("a bearer token is required (Authorization: Bearer <token>)");
        }
        String token = bearerToken(authorization.get());
        long deadline = System.nanoTime() + config.authTimeout().toNanos();
        UserInfo user = authenticate(token, deadline);
        String subject = subjectKey(user);
        if (allowed(subject, user, List.of(""), deadline).contains("")) {
            return Access.everywhere(user.getUsername());
        }
        return new Access(user.getUsername(), false, allowed(subject, user, namespaces, deadline));
    }

    static String bearerToken(String header) {
        if (header.length() > BEARER.length() + MAX_TOKEN_LENGTH) {
            throw new NotAuthenticatedException("the Authorization header is too long");
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new NotAuthenticatedException("the Authorization header must be 'Bearer <token>'");
        }
        String token = header.substring(BEARER.length()).trim();
        if (token.isEmpty() || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new NotAuthenticatedException("the bearer token is empty or not printable ASCII");
        }
        return token;
    }

    private UserInfo authenticate(String token, long deadline) {
        String key = sha256(token);
        Optional<UserInfo> known = users.getIfPresent(key);
        if (known == null) {
            TokenReview request = new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build();
            TokenReview answer = await(List.of(post(TOKEN_REVIEWS, request, TokenReview.class, deadline)), deadline,
                    "TokenReview").get(0);
            boolean authenticated = answer.getStatus() != null
                    && Boolean.TRUE.equals(answer.getStatus().getAuthenticated())
                    && answer.getStatus().getUser() != null;
            known = authenticated ? Optional.of(answer.getStatus().getUser()) : Optional.empty();
            users.put(key, known);
        }
        return known.orElseThrow(() -> new NotAuthenticatedException("the API server did not accept the token"));
    }

    /** The namespaces of the list ("" meaning cluster-wide) where the user may list HealthChecks. */
    private Set<String> allowed(String subject, UserInfo user, Collection<String> namespaces, long deadline) {
        Set<String> allowed = new HashSet<>();
        List<String> undecided = new ArrayList<>();
        for (String namespace : namespaces) {
            Boolean verdict = verdicts.getIfPresent(subject + "\n" + namespace);
            if (verdict == null) {
                undecided.add(namespace);
            } else if (verdict) {
                allowed.add(namespace);
            }
        }
        // A few at a time, so one person's first look at a thousand namespaces does not flood the API server.
        int batchSize = Math.max(1, config.reviewConcurrency());
        for (int from = 0; from < undecided.size(); from += batchSize) {
            List<String> batch = undecided.subList(from, Math.min(undecided.size(), from + batchSize));
            List<Boolean> answers = await(batch.stream().map(namespace -> accessReview(user, namespace, deadline))
                    .toList(), deadline, "SubjectAccessReview");
            for (int i = 0; i < batch.size(); i++) {
                verdicts.put(subject + "\n" + batch.get(i), answers.get(i));
                if (answers.get(i)) {
                    allowed.add(batch.get(i));
                }
            }
        }
        return allowed;
    }

    private CompletableFuture<Boolean> accessReview(UserInfo user, String namespace, long deadline) {
        SubjectAccessReview request = new SubjectAccessReviewBuilder().withNewSpec()
                .withUser(user.getUsername())
                .withUid(user.getUid())
                .withGroups(user.getGroups())
                .withExtra(user.getExtra())
                .withNewResourceAttributes()
                .withVerb(VERB)
                .withGroup(GROUP)
                .withResource(RESOURCE)
                .withNamespace(namespace.isEmpty() ? null : namespace)
                .endResourceAttributes()
                .endSpec().build();
        return post(SUBJECT_ACCESS_REVIEWS, request, answer -> answer.getStatus() != null
                && Boolean.TRUE.equals(answer.getStatus().getAllowed()), SubjectAccessReview.class, deadline);
    }

    private <T> CompletableFuture<T> post(String path, T review, Class<T> type, long deadline) {
        return post(path, review, answer -> answer, type, deadline);
    }

    /**
     * POSTs a review, its timeout what is left of the deadline. The verdict is computed inside the exchange's own
     * future (no derived stage), so cancelling the returned future cancels the exchange.
     */
    private <R, T> CompletableFuture<T> post(String path, R review, Function<R, T> verdict,
            Class<R> type, long deadline) {
        long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        HttpRequest request = httpClient.newHttpRequestBuilder().uri(apiServer + path)
                .post("application/json", serialization.asJson(review))
                .timeout(remainingMillis, TimeUnit.MILLISECONDS).build();
        return BoundedExchange.send(httpClient, request, MAX_ANSWER_BYTES, (code, body) -> {
            if (code != 201 && code != 200) {
                throw new IllegalStateException("HTTP " + code + " from " + path);
            }
            return verdict.apply(serialization.unmarshal(body, type));
        });
    }

    /** Waits until the deadline; then every call still running is cancelled, which closes its connection. */
    private <T> List<T> await(List<CompletableFuture<T>> calls, long deadline, String what) {
        try {
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return calls.stream().map(CompletableFuture::join).toList();
        } catch (TimeoutException e) {
            throw new ReviewUnavailableException(what + " did not answer within " + config.authTimeout().toMillis()
                    + " ms", e);
        } catch (ExecutionException e) {
            // The cause (an address, a server's message) goes to the log, not to whoever asked.
            LOG.warnf("%s failed: %s", what, e.getCause().toString());
            throw new ReviewUnavailableException(what + " failed; the operator's log says why", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReviewUnavailableException(what + " interrupted", e);
        } finally {
            calls.forEach(call -> call.cancel(true));
        }
    }

    /** Everything the API server authorizes on: a verdict for one is never reused for another. */
    private static String subjectKey(UserInfo user) {
        StringBuilder key = new StringBuilder(String.valueOf(user.getUsername())).append('\n')
                .append(user.getUid()).append('\n');
        if (user.getGroups() != null) {
            user.getGroups().stream().sorted().forEach(group -> key.append(group).append(','));
        }
        if (user.getExtra() != null) {
            key.append('\n').append(new TreeMap<>(user.getExtra()));
        }
        return sha256(key.toString());
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
