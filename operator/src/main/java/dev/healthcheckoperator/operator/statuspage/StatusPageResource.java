package dev.healthcheckoperator.operator.statuspage;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * GET /api/v1/healthchecks: the HealthChecks the caller may see, from the informer cache, one page at a time.
 * Pages are cut by (namespace, name), so walking them with continue sees every HealthCheck that existed throughout
 * exactly once, whatever is created or deleted meanwhile.
 */
@Path("/api/v1/healthchecks")
@Produces(MediaType.APPLICATION_JSON)
public class StatusPageResource {

    private static final Pattern ADDRESS_LITERAL = Pattern.compile("^[0-9A-Fa-f:.%]+$");
    private static final CacheControl NO_STORE = CacheControl.valueOf("no-store");

    private final HealthCheckIndex index;
    private final AccessReviewer reviewer;
    private final StatusPageConfig config;
    private final Operator operator;

    public StatusPageResource(HealthCheckIndex index, AccessReviewer reviewer, StatusPageConfig config,
            Operator operator) {
        this.index = index;
        this.reviewer = reviewer;
        this.config = config;
        this.operator = operator;
    }

    @GET
    public Response list(@Context UriInfo uri, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Context HttpServerRequest request) {
        StatusQuery query;
        try {
            query = StatusQuery.parse(uri.getQueryParameters(), config.defaultPageSize(), config.maxPageSize());
        } catch (BadParameterException e) {
            return problem(Response.Status.BAD_REQUEST, e.getMessage(), e.parameter());
        }
        // Until the informer has synced, the cache holds some HealthChecks and not others: no list at all then.
        Optional<IndexerResourceCache<HealthCheck>> cache = index.cache()
                .filter(c -> operator.getRuntimeInfo().isStarted());
        if (cache.isEmpty()) {
            return problem(Response.Status.SERVICE_UNAVAILABLE, "the HealthCheck cache is not synced yet", null);
        }
        List<HealthCheck> all = cache.get().list().toList();
        SortedSet<String> present = new TreeSet<>();
        all.forEach(hc -> present.add(hc.getMetadata().getNamespace()));
        Access access;
        try {
            access = reviewer.review(Optional.ofNullable(authorization), fromLoopback(request), present);
        } catch (NotAuthenticatedException e) {
            return Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"healthcheck-operator\"")
                    .cacheControl(NO_STORE)
                    .entity(new ProblemAnswer(401, e.getMessage(), null)).build();
        } catch (ReviewUnavailableException e) {
            return problem(Response.Status.SERVICE_UNAVAILABLE, "authorization is unavailable: " + e.getMessage(),
                    null);
        }
        return Response.ok(page(all, present, access, query)).cacheControl(NO_STORE).build();
    }

    static StatusPageAnswer page(List<HealthCheck> all, SortedSet<String> present, Access access, StatusQuery query) {
        List<String> visible = present.stream().filter(access::allows).toList();
        Stream<HealthCheck> matching = all.stream()
                .filter(hc -> access.allows(hc.getMetadata().getNamespace()))
                .filter(hc -> query.namespace().map(hc.getMetadata().getNamespace()::equals).orElse(true))
                .filter(hc -> query.health().contains(healthOf(hc)));
        List<HealthCheck> sorted = new ArrayList<>(matching.toList());
        sorted.sort((a, b) -> key(a).compareTo(key(b)));
        int from = query.after().map(after -> firstAfter(sorted, after)).orElse(0);
        int to = Math.min(sorted.size(), from + query.limit());
        List<HealthCheckSummary> items = sorted.subList(from, to).stream().map(Summaries::of).toList();
        String next = to < sorted.size() ? StatusQuery.continueAfter(key(sorted.get(to - 1))) : null;
        return new StatusPageAnswer(sorted.size(), next, visible, items);
    }

    private static int firstAfter(List<HealthCheck> sorted, StatusQuery.Key after) {
        int found = Collections.binarySearch(sorted.stream().map(StatusPageResource::key).toList(), after);
        return found >= 0 ? found + 1 : -found - 1;
    }

    private static StatusQuery.Key key(HealthCheck healthCheck) {
        return new StatusQuery.Key(healthCheck.getMetadata().getNamespace(), healthCheck.getMetadata().getName());
    }

    private static Health healthOf(HealthCheck healthCheck) {
        return healthCheck.getStatus() == null || healthCheck.getStatus().getHealth() == null ? Health.Unknown
                : healthCheck.getStatus().getHealth();
    }

    /** The socket's peer, never a forwarded-for header, which anyone can write. */
    private static boolean fromLoopback(HttpServerRequest request) {
        SocketAddress peer = request == null ? null : request.remoteAddress();
        if (peer == null || !peer.isInetSocket() || peer.hostAddress() == null
                || !ADDRESS_LITERAL.matcher(peer.hostAddress()).matches()) {
            return false;
        }
        try {
            // An address literal: parsed, never looked up.
            return InetAddress.getByName(peer.hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static Response problem(Response.Status status, String message, String parameter) {
        return Response.status(status).cacheControl(NO_STORE)
                .entity(new ProblemAnswer(status.getStatusCode(), message, parameter)).build();
    }
}
