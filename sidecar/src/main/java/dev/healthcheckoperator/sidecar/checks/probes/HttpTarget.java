package dev.healthcheckoperator.sidecar.checks.probes;

import dev.healthcheckoperator.sidecar.checks.spec.HttpGetAction;
import dev.healthcheckoperator.sidecar.checks.spec.HttpHeader;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where one request of an {@code httpGet} probe goes: the connection (scheme, host, port), the request target
 * (path and query), the Host header the user set, if any, and whether the user's headers go with it; and where a
 * redirect from it leads.
 *
 * <p>User headers (an {@code Authorization}, a token) go only to the origin the check names, and only while the
 * redirect chain has not left it. Once another origin has answered, the rest of the chain, including a hop
 * back to the check's own origin, is chosen by that other origin: sending the credentials again would let it
 * aim them at any path it likes. The Fetch standard does the same (credentials dropped on a cross-origin
 * redirect stay dropped); the origin includes the scheme, so an https check never sends them over plain http.
 */
record HttpTarget(boolean ssl, String host, int port, String pathAndQuery, String hostHeader,
        boolean sendsUserHeaders) {

    static final class BadRedirectException extends Exception {
        BadRedirectException(String message) {
            super(message);
        }
    }

    static HttpTarget of(HttpGetAction action) {
        String hostHeader = null;
        for (HttpHeader header : action.headersOrEmpty()) {
            if (header.name().equalsIgnoreCase("Host")) {
                hostHeader = header.value();
                break;
            }
        }
        if (action.url() == null) {
            boolean https = "HTTPS".equalsIgnoreCase(action.scheme());
            return new HttpTarget(https, action.host(), action.port(), action.path() == null ? "/" : action.path(),
                    hostHeader, true);
        }
        URI url = URI.create(action.url()); // validated by the checks file loader
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        return new HttpTarget(https, unbracketed(url.getHost()), portOf(url, https), pathAndQuery(url), hostHeader,
                true);
    }

    String scheme() {
        return ssl ? "https" : "http";
    }

    /** The URL for messages: without its query string or user info, which may carry tokens. */
    String display() {
        int query = pathAndQuery.indexOf('?');
        return scheme() + "://" + bracketed(host) + ":" + port + (query < 0 ? pathAndQuery : pathAndQuery.substring(0, query));
    }

    /** Identity of a request, for loop detection. */
    String key() {
        return scheme() + "://" + (hostHeader == null ? "" : hostHeader + "@") + bracketed(host) + ":" + port
                + pathAndQuery;
    }

    /**
     * Resolves a {@code Location} (relative or absolute) against the URL the upstream was asked for. A target on
     * the same authority keeps the connection and the user's Host header; any other is a new origin.
     */
    HttpTarget redirect(String location) throws BadRedirectException {
        if (location == null || location.isBlank()) {
            throw new BadRedirectException("redirect without a Location header");
        }
        URI base;
        URI next;
        try {
            base = new URI(scheme() + "://" + (hostHeader != null ? hostHeader : bracketed(host) + ":" + port)
                    + pathAndQuery);
            next = base.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new BadRedirectException("Location '" + withoutQuery(location) + "' cannot be parsed");
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new BadRedirectException("Location '" + withoutQuery(location)
                    + "' is not http or https; only those are followed");
        }
        if (next.getHost() == null) {
            throw new BadRedirectException("Location '" + withoutQuery(location) + "' has no host");
        }
        boolean https = scheme.equals("https");
        int nextPort = portOf(next, https);
        boolean sameAuthority = https == ssl && next.getHost().equalsIgnoreCase(base.getHost())
                && nextPort == portOf(base, ssl);
        if (sameAuthority) {
            return new HttpTarget(ssl, host, port, pathAndQuery(next), hostHeader, sendsUserHeaders);
        }
        return new HttpTarget(https, unbracketed(next.getHost()), nextPort, pathAndQuery(next), null, false);
    }

    private static String pathAndQuery(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    private static int portOf(URI uri, boolean https) {
        return uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
    }

    /** A Location for messages: no query, no fragment (OAuth puts tokens there), no user info. */
    private static String withoutQuery(String location) {
        int query = location.indexOf('?');
        int fragment = location.indexOf('#');
        int cut = query < 0 ? fragment : fragment < 0 ? query : Math.min(query, fragment);
        String shown = cut < 0 ? location : location.substring(0, cut);
        return shown.replaceAll("//[^/@]*@", "//");
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String bracketed(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
