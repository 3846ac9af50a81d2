package dev.healthcheckoperator.operator.config;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.quarkus.runtime.ShutdownEvent;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;

/**
 * Two replicas can run; the one holding this Lease (in the operator's namespace) reconciles and polls, the other
 * waits to take over. Active in the prod profile only (quarkus.operator-sdk.activate-leader-election-for-profiles).
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {

    public static final String LEASE_NAME = "healthcheck-operator-leader";

    public LeaderElection(OperatorConfig config) {
        super(LEASE_NAME, config.leaderElection().leaseNamespace().orElse(null), LEASE_DURATION_DEFAULT_VALUE,
                RENEW_DEADLINE_DEFAULT_VALUE, RETRY_PERIOD_DEFAULT_VALUE, null, null, config.leaderElection().exitOnStopLeading());
    }

    /** Set first thing on shutdown, before the operator (and its Lease) is stopped. */
    private volatile boolean shuttingDown;

    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        shuttingDown = true;
    }

    /**
     * Giving up the Lease because the process is stopping must not call System.exit: from inside the JVM's
     * shutdown that call blocks forever, and SIGTERM would hang until the kubelet's SIGKILL.
     */
    @Override
    public boolean isExitOnStopLeading() {
        return super.isExitOnStopLeading() && !shuttingDown;
    }
}
