package dev.healthcheckoperator.operator.reconciler;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.healthcheckoperator.operator.config.OperatorConfig;
import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Writes events.k8s.io/v1 Events about a HealthCheck, so `kubectl describe hc` and `kubectl events` show what
 * happened to it. Repeats of the same Event become a series on one Event, and {@link EventThrottle} bounds how many
 * writes one HealthCheck and all of them together may cause.
 */
@ApplicationScoped
public class EventRecorder {

    /** events.k8s.io/v1 wants a qualified name here. */
    static final String REPORTING_CONTROLLER = "healthcheck-operator.dev/healthcheck-operator";
    private static final String DEFAULT_INSTANCE = "healthcheck-operator";
    /** An Event name is a DNS subdomain: at most 253 characters, and the random suffix takes 17. */
    private static final int MAX_NAME_PREFIX = 253 - 17;
    /** The API server refuses a note longer than 1 kB. */
    private static final int MAX_NOTE_BYTES = 1024;
    private static final int MAX_INSTANCE_LENGTH = 128;
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX", Locale.ROOT);
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);

    private final KubernetesClient client;
    private final String instance;
    private final EventThrottle throttle;
    private final Counter dropped;

    public EventRecorder(KubernetesClient client, OperatorConfig config, MeterRegistry registry) {
        this.client = client;
        String hostname = System.getenv("HOSTNAME");
        String name = hostname == null || hostname.isEmpty() ? DEFAULT_INSTANCE : hostname;
        this.instance = name.length() > MAX_INSTANCE_LENGTH ? name.substring(0, MAX_INSTANCE_LENGTH) : name;
        OperatorConfig.Events events = config.events();
        this.throttle = new EventThrottle(events.burst(), events.refillInterval(), events.globalBurst(),
                events.globalPerSecond(), events.seriesWindow(), events.trackedObjects(), System::nanoTime);
        this.dropped = Counter.builder("healthcheck.operator.events.dropped")
                .description("Events not written because a HealthCheck or the operator wrote too many lately")
                .register(registry);
    }

    public void record(HealthCheck healthCheck, Transition transition) {
        String namespace = healthCheck.getMetadata().getNamespace();
        String note = truncateUtf8(transition.message(), MAX_NOTE_BYTES);
        EventThrottle.Key key = new EventThrottle.Key(transition.type(), transition.reason(), transition.action(),
                note);
        String uid = healthCheck.getMetadata().getUid();
        EventThrottle.Decision decision = throttle.decide(uid, key, eventName(healthCheck.getMetadata().getName()));
        String now = ZonedDateTime.now(ZoneOffset.UTC).format(MICRO_TIME);
        try {
            switch (decision.action()) {
                case CREATE -> client.events().v1().events().inNamespace(namespace)
                        .resource(event(healthCheck, decision.eventName(), key, now)).create();
                // Patched by name alone: handing the client an item spares it a GET (which needs a right of its own).
                case UPDATE_SERIES -> client.events().v1().events().inNamespace(namespace)
                        .resource(new EventBuilder().withNewMetadata().withName(decision.eventName())
                                .withNamespace(namespace).endMetadata().build())
                        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("series",
                                Map.of("count", decision.count(), "lastObservedTime", now))));
                case DROP -> {
                    dropped.increment();
                    LOG.debugf("Event %s for %s/%s not written: too many Events lately", transition.reason(),
                            namespace, healthCheck.getMetadata().getName());
                }
            }
        } catch (KubernetesClientException e) {
            // An Event is informative; failing to write one must not fail the reconciliation.
            throttle.forget(uid, key);
            LOG.warnf("Could not record event %s for %s/%s: %s", transition.reason(), namespace,
                    healthCheck.getMetadata().getName(), e.getMessage());
        }
    }

    private Event event(HealthCheck healthCheck, String name, EventThrottle.Key key, String now) {
        return new EventBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(healthCheck.getMetadata().getNamespace())
                .endMetadata()
                .withRegarding(new ObjectReferenceBuilder()
                        .withApiVersion(healthCheck.getApiVersion())
                        .withKind(healthCheck.getKind())
                        .withName(healthCheck.getMetadata().getName())
                        .withNamespace(healthCheck.getMetadata().getNamespace())
                        .withUid(healthCheck.getMetadata().getUid())
                        .withResourceVersion(healthCheck.getMetadata().getResourceVersion())
                        .build())
                .withEventTime(new MicroTime(now))
                .withType(key.type())
                .withReason(key.reason())
                .withAction(key.action())
                .withNote(key.note())
                .withReportingController(REPORTING_CONTROLLER)
                .withReportingInstance(instance)
                .build();
    }

    /** The object's name (cut so the whole stays a valid name) and a random suffix. */
    static String eventName(String objectName) {
        String prefix = objectName.length() <= MAX_NAME_PREFIX ? objectName : objectName.substring(0, MAX_NAME_PREFIX);
        // A cut may leave a '-' or '.' at the end, which must not precede the '.'.
        prefix = prefix.replaceAll("[-.]+$", "");
        return prefix + "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    static String truncateUtf8(String text, int maxBytes) {
        if (text == null) {
            return "";
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        int end = Math.min(text.length(), maxBytes - 3);
        while (end > 0 && (text.substring(0, end) + "...").getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            end--;
        }
        return text.substring(0, end) + "...";
    }
}
