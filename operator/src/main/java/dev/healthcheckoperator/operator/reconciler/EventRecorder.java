package dev.healthcheckoperator.operator.reconciler;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Writes core/v1 Events about a HealthCheck, so `kubectl describe hc` shows what happened to it. */
@ApplicationScoped
public class EventRecorder {

    static final String COMPONENT = "healthcheck-operator";
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);

    private final KubernetesClient client;
    private final String instance;

    public EventRecorder(KubernetesClient client) {
        this.client = client;
        String hostname = System.getenv("HOSTNAME");
        this.instance = hostname == null ? COMPONENT : hostname;
    }

    public void record(HealthCheck healthCheck, Transition transition) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String namespace = healthCheck.getMetadata().getNamespace();
        var event = new EventBuilder()
                .withNewMetadata()
                .withName(healthCheck.getMetadata().getName() + "."
                        + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT))
                .withNamespace(namespace)
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(healthCheck.getApiVersion())
                        .withKind(healthCheck.getKind())
                        .withName(healthCheck.getMetadata().getName())
                        .withNamespace(namespace)
                        .withUid(healthCheck.getMetadata().getUid())
                        .build())
                .withType(transition.type())
                .withReason(transition.reason())
                .withMessage(transition.message())
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .withReportingInstance(instance)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (KubernetesClientException e) {
            // An Event is informative; failing to write one must not fail the reconciliation.
            LOG.warnf("Could not record event %s for %s/%s: %s", transition.reason(), namespace,
                    healthCheck.getMetadata().getName(), e.getMessage());
        }
    }
}
