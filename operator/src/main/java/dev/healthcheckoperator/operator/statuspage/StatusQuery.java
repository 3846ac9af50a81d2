package dev.healthcheckoperator.operator.statuspage;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;

/**
 * The query of GET /api/v1/healthchecks, checked whole before anything is read: an unknown or repeated parameter
 * is refused rather than ignored, so a typo (namepsace=) never returns everything as if it had filtered.
 *
 * @param after the last (namespace, name) of the previous page, from the continue token; empty on the first page
 */
public record StatusQuery(int limit, Optional<Key> after, Optional<String> namespace, Set<Health> health) {

    public static final String LIMIT = "limit";
    public static final String CONTINUE = "continue";
    public static final String NAMESPACE = "namespace";
    public static final String HEALTH = "health";
    private static final Set<String> KNOWN = Set.of(LIMIT, CONTINUE, NAMESPACE, HEALTH);
    /** A namespace name: a DNS-1123 label. */
    private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    /** A resource name: a DNS-1123 subdomain. */
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    /** Longer than any token this API hands out (63 + 253 characters, base64). */
    private static final int MAX_TOKEN_LENGTH = 512;

    /** Where a HealthCheck sorts: pages are cut by key, so items created or deleted meanwhile shift nothing. */
    public record Key(String namespace, String name) implements Comparable<Key> {

        @Override
        public int compareTo(Key other) {
            int byNamespace = namespace.compareTo(other.namespace);
            return byNamespace != 0 ? byNamespace : name.compareTo(other.name);
        }
    }

    public static StatusQuery parse(Map<String, List<String>> parameters, int defaultLimit, int maxLimit) {
        for (String name : parameters.keySet()) {
            if (!KNOWN.contains(name)) {
                throw new BadParameterException(name, "unknown query parameter '" + truncate(name)
                        + "'; known: limit, continue, namespace, health");
            }
        }
        int limit = single(parameters, LIMIT).map(value -> parseLimit(value, maxLimit)).orElse(defaultLimit);
        Optional<Key> after = single(parameters, CONTINUE).map(StatusQuery::decodeContinue);
        Optional<String> namespace = single(parameters, NAMESPACE).map(value -> {
            if (value.length() > 63 || !DNS_LABEL.matcher(value).matches()) {
                throw new BadParameterException(NAMESPACE, "namespace must be a namespace name (a DNS-1123 label, "
                        + "at most 63 characters), not '" + truncate(value) + "'");
            }
            return value;
        });
        Set<Health> health = single(parameters, HEALTH).map(StatusQuery::parseHealth)
                .orElse(EnumSet.allOf(Health.class));
        return new StatusQuery(limit, after, namespace, health);
    }

    /** The token that continues after this HealthCheck. */
    public static String continueAfter(Key last) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((last.namespace() + "/" + last.name()).getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String> single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw new BadParameterException(name, name + " may be given once, not " + values.size() + " times");
        }
        String value = values.get(0);
        if (value == null || value.isEmpty()) {
            throw new BadParameterException(name, name + " must not be empty");
        }
        return Optional.of(value);
    }

    private static int parseLimit(String value, int maxLimit) {
        int limit;
        try {
            limit = value.length() > 9 ? -1 : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > maxLimit) {
            throw new BadParameterException(LIMIT, "limit must be a whole number from 1 to " + maxLimit + ", not '"
                    + truncate(value) + "'");
        }
        return limit;
    }

    private static Key decodeContinue(String token) {
        String decoded = null;
        if (token.length() <= MAX_TOKEN_LENGTH) {
            try {
                decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                decoded = null;
            }
        }
        int slash = decoded == null ? -1 : decoded.indexOf('/');
        if (slash < 0 || !DNS_LABEL.matcher(decoded.substring(0, slash)).matches()
                || !DNS_SUBDOMAIN.matcher(decoded.substring(slash + 1)).matches()) {
            throw new BadParameterException(CONTINUE, "continue must be the continue value of a previous answer");
        }
        return new Key(decoded.substring(0, slash), decoded.substring(slash + 1));
    }

    private static Set<Health> parseHealth(String value) {
        Set<Health> health = EnumSet.noneOf(Health.class);
        for (String part : value.split(",", -1)) {
            try {
                health.add(Health.valueOf(part.trim()));
            } catch (IllegalArgumentException e) {
                throw new BadParameterException(HEALTH, "health must be Healthy, Degraded, Unhealthy or Unknown "
                        + "(comma-separated for several), not '" + truncate(part) + "'");
            }
        }
        return health;
    }

    /** Echoes at most a little of what the client sent, so an error answer stays small. */
    private static String truncate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }
}
