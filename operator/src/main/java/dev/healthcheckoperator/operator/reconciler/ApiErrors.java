package dev.healthcheckoperator.operator.reconciler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;

/** The message a user can act on in a failed reconciliation: what the API server said, not a stack of wrappers. */
final class ApiErrors {

    private ApiErrors() {
    }

    static String message(Exception failure) {
        List<String> messages = new ArrayList<>();
        collect(failure, messages, Collections.newSetFromMap(new IdentityHashMap<>()));
        if (messages.isEmpty()) {
            String own = failure.getMessage();
            return failure.getClass().getSimpleName() + (own == null ? "" : ": " + own);
        }
        return String.join("; ", messages);
    }

    private static void collect(Throwable failure, List<String> messages, Set<Throwable> seen) {
        if (failure == null || !seen.add(failure)) {
            return;
        }
        if (failure instanceof KubernetesClientException api) {
            String message = api.getStatus() != null && api.getStatus().getMessage() != null
                    ? api.getStatus().getMessage()
                    : api.getMessage();
            if (!messages.contains(message)) {
                messages.add(message);
            }
            return;
        }
        if (failure instanceof AggregatedOperatorException aggregated) {
            for (Map.Entry<String, Exception> entry : aggregated.getAggregatedExceptions().entrySet()) {
                collect(entry.getValue(), messages, seen);
            }
        }
        collect(failure.getCause(), messages, seen);
    }
}
