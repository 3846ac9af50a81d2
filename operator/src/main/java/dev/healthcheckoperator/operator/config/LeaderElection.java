package dev.healthcheckoperator.operator.config;

import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;

/**
 * Two replicas can run; the one holding this Lease (in the operator's namespace) reconciles and polls, the other
 * waits to take over. Active in the prod profile only (quarkus.operator-sdk.activate-leader-election-for-profiles).
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {

    public static final String LEASE_NAME = "healthcheck-operator-leader";

    public LeaderElection(OperatorConfig config) {
        super(LEASE_NAME, config.leaderElection().leaseNamespace().orElse(null), LEASE_DURATION_DEFAULT_VALUE, RENEW_DEADLINE_DEFAULT_VALUE,
                RETRY_PERIOD_DEFAULT_VALUE, null, null, config.leaderElection().exitOnStopLeading());
    }
}
