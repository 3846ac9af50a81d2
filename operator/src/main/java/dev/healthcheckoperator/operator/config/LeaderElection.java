package dev.healthcheckoperator.operator.config;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Two replicas can run; the one holding this Lease (in the operator's namespace) reconciles and polls, the other
 * waits to take over. Active in the prod profile only (quarkus.operator-sdk.activate-leader-election-for-profiles).
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {

    public static final String LEASE_NAME = "healthcheck-operator-leader";
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    private final boolean exitOnStopLeading;
    private final LeaderCallbacks callbacks = new LeaderCallbacks(() -> {
    }, this::stoppedLeading, leader -> {
    });
    /** Set first thing on shutdown, before the operator (and its Lease) is stopped. */
    private volatile boolean shuttingDown;

    public LeaderElection(OperatorConfig config) {
        super(LEASE_NAME, config.leaderElection().leaseNamespace().orElse(null),
                checkedTimings(config.leaderElection()).leaseDuration(), config.leaderElection().renewDeadline(),
                config.leaderElection().retryPeriod(), null, null, false);
        this.exitOnStopLeading = config.leaderElection().exitOnStopLeading();
    }

    /**
     * A leader must give the Lease up (renewDeadline) before a standby may take it (leaseDuration), and retry more
     * than once within the deadline: otherwise two replicas could both believe they lead.
     */
    static OperatorConfig.LeaderElection checkedTimings(OperatorConfig.LeaderElection timings) {
        if (timings.retryPeriod().isNegative() || timings.retryPeriod().isZero()) {
            throw new IllegalArgumentException("healthcheck.leader-election.retry-period: must be positive, is "
                    + timings.retryPeriod());
        }
        if (timings.renewDeadline().compareTo(timings.retryPeriod()) <= 0) {
            throw new IllegalArgumentException("healthcheck.leader-election.renew-deadline: must be longer than "
                    + "retry-period (" + timings.renewDeadline() + " <= " + timings.retryPeriod() + ")");
        }
        if (timings.leaseDuration().compareTo(timings.renewDeadline()) <= 0) {
            throw new IllegalArgumentException("healthcheck.leader-election.lease-duration: must be longer than "
                    + "renew-deadline (" + timings.leaseDuration() + " <= " + timings.renewDeadline() + ")");
        }
        return timings;
    }

    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        shuttingDown = true;
    }

    @Override
    public Optional<LeaderCallbacks> getLeaderCallbacks() {
        return Optional.of(callbacks);
    }

    /**
     * The process exits itself rather than through JOSDK's System.exit: called on the leader-election thread, that
     * waits for the shutdown hooks, and the operator's shutdown waits for that thread's executor, so the process
     * hung after "Exiting." and kept its pod (measured in OperatorHandoverIT). Quarkus exits on its own thread.
     * Giving up the Lease because the process is stopping anyway must not exit again.
     */
    @Override
    public boolean isExitOnStopLeading() {
        return false;
    }

    private void stoppedLeading() {
        if (exitOnStopLeading && !shuttingDown) {
            LOG.info("Lost the leader Lease: exiting, to start again as a standby");
            Quarkus.asyncExit(1);
        }
    }
}
