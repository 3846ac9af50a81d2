package dev.healthcheckoperator.operator.health;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * /q/health/live and /q/health/ready report DOWN while the health poller is stuck (polls are overdue and none has
 * completed for healthcheck.poll.stuck-after): the statuses it feeds would go stale without anyone noticing, and a
 * restart is harmless (the statuses on the resources stand until the new poller has polled).
 */
@Liveness
@Readiness
@ApplicationScoped
public class PollerHealthCheck implements org.eclipse.microprofile.health.HealthCheck {

    static final String NAME = "health-poller";

    private final PollProgress progress;

    public PollerHealthCheck(PollProgress progress) {
        this.progress = progress;
    }

    @Override
    public HealthCheckResponse call() {
        PollScheduler.Progress snapshot = progress.snapshot();
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).status(!snapshot.stuck())
                .withData("targets", snapshot.targets())
                .withData("inFlight", snapshot.inFlight())
                .withData("maxOverdueSeconds", snapshot.maxOverdue().toSeconds());
        if (snapshot.lastCompletedEpochMillis() > 0) {
            response.withData("lastCompletedPoll", Instant.ofEpochMilli(snapshot.lastCompletedEpochMillis()).toString());
        }
        return response.build();
    }
}
