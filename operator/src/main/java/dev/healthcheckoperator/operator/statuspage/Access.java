package dev.healthcheckoperator.operator.statuspage;

import java.util.Set;

/**
 * The namespaces one request may see.
 *
 * @param subject who asked (the user name from the TokenReview, or "anonymous"), for the log
 * @param everyNamespace allowed cluster-wide (or anonymous access is configured)
 * @param namespaces the namespaces allowed one by one, when not everyNamespace
 */
public record Access(String subject, boolean everyNamespace, Set<String> namespaces) {

    public static Access everywhere(String subject) {
        return new Access(subject, true, Set.of());
    }

    public boolean allows(String namespace) {
        return everyNamespace || namespaces.contains(namespace);
    }
}
