package dev.healthcheckoperator.operator.statuspage;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.CheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheckStatus;
import dev.healthcheckoperator.operator.crd.v1alpha1.HttpGetAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.StatusCondition;
import dev.healthcheckoperator.operator.reconciler.HealthyCondition;
import dev.healthcheckoperator.operator.reconciler.ReadyCondition;

/**
 * What the status page may show of a HealthCheck. Of a check's spec only its kind and target: never a header (an
 * Authorization value may be inline), a Secret reference, the userinfo or the query of a URL (where tokens travel).
 * Messages written by the sidecar can quote a URL, so URLs in them lose userinfo and query too.
 */
public final class Summaries {

    /** Longer messages are cut: one failing check must not make a page of megabytes. */
    static final int MAX_MESSAGE_LENGTH = 1024;
    private static final Pattern URL_USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/?#\\s@]*@");
    private static final Pattern URL_QUERY = Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://[^\\s?#]*)[?#][^\\s]*");

    private Summaries() {
    }

    public static HealthCheckSummary of(HealthCheck healthCheck) {
        HealthCheckStatus status = healthCheck.getStatus() == null ? new HealthCheckStatus() : healthCheck.getStatus();
        StatusCondition healthy = status.condition(HealthyCondition.TYPE).orElse(null);
        StatusCondition ready = status.condition(ReadyCondition.TYPE).orElse(null);
        return new HealthCheckSummary(healthCheck.getMetadata().getNamespace(), healthCheck.getMetadata().getName(),
                status.getHealth() == null ? "Unknown" : status.getHealth().name(),
                healthy == null ? null : healthy.getReason(), healthy == null ? null : redact(healthy.getMessage()),
                healthy == null ? null : healthy.getLastTransitionTime(), readyOf(ready),
                ready == null ? null : ready.getReason(), ready == null ? null : redact(ready.getMessage()),
                ready == null ? null : ready.getLastTransitionTime(), checks(healthCheck, status));
    }

    /** The checks of the spec in its order, then any the status still lists that the spec no longer has. */
    private static List<HealthCheckSummary.Check> checks(HealthCheck healthCheck, HealthCheckStatus status) {
        Map<String, CheckStatus> seen = new LinkedHashMap<>();
        if (status.getChecks() != null) {
            status.getChecks().forEach(check -> seen.put(check.getName(), check));
        }
        List<HealthCheckSummary.Check> checks = new ArrayList<>();
        List<CheckSpec> specs = healthCheck.getSpec() == null || healthCheck.getSpec().getChecks() == null ? List.of()
                : healthCheck.getSpec().getChecks();
        for (CheckSpec spec : specs) {
            CheckStatus result = seen.remove(spec.getName());
            checks.add(check(spec.getName(), kind(spec), target(spec), Boolean.TRUE.equals(spec.getCritical()),
                    result));
        }
        seen.values().forEach(result -> checks.add(check(result.getName(), null, null, false, result)));
        return checks;
    }

    private static HealthCheckSummary.Check check(String name, String kind, String target, boolean critical,
            CheckStatus result) {
        if (result == null) {
            return new HealthCheckSummary.Check(name, kind, target, critical, "unknown", null, null, null);
        }
        String state = result.getHealthy() == null ? "unknown" : result.getHealthy() ? "passing" : "failing";
        return new HealthCheckSummary.Check(name, kind, target, critical, state, result.getReason(),
                redact(result.getMessage()), result.getLastTransitionTime());
    }

    private static Boolean readyOf(StatusCondition ready) {
        if (ready == null || ready.getStatus() == null) {
            return null;
        }
        return switch (ready.getStatus()) {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            default -> null;
        };
    }

    static String kind(CheckSpec spec) {
        if (spec.getHttpGet() != null) {
            return "httpGet";
        }
        if (spec.getTcpSocket() != null) {
            return "tcpSocket";
        }
        return spec.getGrpc() != null ? "grpc" : null;
    }

    static String target(CheckSpec spec) {
        if (spec.getHttpGet() != null) {
            return httpTarget(spec.getHttpGet());
        }
        if (spec.getTcpSocket() != null) {
            return hostPort(spec.getTcpSocket().getHost(), spec.getTcpSocket().getPort());
        }
        if (spec.getGrpc() != null) {
            String service = spec.getGrpc().getService();
            return hostPort(spec.getGrpc().getHost(), spec.getGrpc().getPort())
                    + (service == null || service.isEmpty() ? "" : " (" + service + ")");
        }
        return null;
    }

    private static String httpTarget(HttpGetAction httpGet) {
        if (httpGet.getUrl() != null) {
            try {
                URI uri = new URI(httpGet.getUrl());
                if (uri.getScheme() == null || uri.getHost() == null) {
                    return null;
                }
                return uri.getScheme() + "://" + hostPort(uri.getHost(), uri.getPort() < 0 ? null : uri.getPort())
                        + (uri.getRawPath() == null ? "" : uri.getRawPath());
            } catch (URISyntaxException e) {
                // The schema lets only absolute URLs through; anything else is not shown rather than shown raw.
                return null;
            }
        }
        String scheme = httpGet.getScheme() == null ? "http" : httpGet.getScheme().name().toLowerCase();
        String path = httpGet.getPath() == null ? "/" : httpGet.getPath();
        int query = path.indexOf('?');
        return scheme + "://" + hostPort(httpGet.getHost(), httpGet.getPort())
                + (query < 0 ? path : path.substring(0, query));
    }

    private static String hostPort(String host, Integer port) {
        String shownHost = host == null ? "" : host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return port == null ? shownHost : shownHost + ":" + port;
    }

    /** Removes URL userinfo and queries from free text and caps its length. */
    static String redact(String message) {
        if (message == null) {
            return null;
        }
        String capped = message.length() > 4 * MAX_MESSAGE_LENGTH ? message.substring(0, 4 * MAX_MESSAGE_LENGTH)
                : message;
        String redacted = URL_QUERY.matcher(URL_USERINFO.matcher(capped).replaceAll("$1")).replaceAll("$1");
        return redacted.length() > MAX_MESSAGE_LENGTH ? redacted.substring(0, MAX_MESSAGE_LENGTH) + "..." : redacted;
    }
}
