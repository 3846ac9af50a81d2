package dev.healthcheckoperator.operator.statuspage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.healthcheckoperator.operator.testsupport.Blackhole;
import dev.healthcheckoperator.operator.testsupport.MisbehavingSidecar;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;

/**
 * The reviews against an API server that misbehaves: each ends at the deadline in a refusal to answer (503), with
 * the call cancelled, never in a verdict. Anonymous access as configured, without any call.
 */
class AccessReviewerTest {

    private static final Duration DEADLINE = Duration.ofMillis(800);

    @ParameterizedTest
    @EnumSource(value = MisbehavingSidecar.Behaviour.class, names = { "STALL_AFTER_HEADERS", "TRICKLE",
            "ENDLESS_BODY", "DOWN" })
    void anApiServerThatMisbehavesIsUnavailableNotAVerdict(MisbehavingSidecar.Behaviour behaviour)
            throws Exception {
        try (MisbehavingSidecar server = new MisbehavingSidecar(behaviour)) {
            AccessReviewer reviewer = reviewer("http://127.0.0.1:" + server.port(), StatusPageConfig.AnonymousAccess.DENY);
            try {
                assertThrows(ReviewUnavailableException.class,
                        () -> reviewer.review(Optional.of("Bearer some-token"), true, List.of("shop")));
                if (behaviour != MisbehavingSidecar.Behaviour.DOWN) {
                    // The request was cancelled, not left running: the server sees the client hang up.
                    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> server.closedByClient() > 0);
                }
            } finally {
                reviewer.close();
            }
        }
    }

    @Test
    void anApiServerThatNeverAcceptsIsUnavailableWithinTheDeadline() throws Exception {
        try (Blackhole blackhole = new Blackhole()) {
            AccessReviewer reviewer = reviewer("http://127.0.0.1:" + blackhole.port(),
                    StatusPageConfig.AnonymousAccess.DENY);
            try {
                long start = System.nanoTime();
                assertThrows(ReviewUnavailableException.class,
                        () -> reviewer.review(Optional.of("Bearer some-token"), false, List.of("shop")));
                // Generous: the point is that it ends, near the deadline rather than at some client default.
                assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0);
            } finally {
                reviewer.close();
            }
        }
    }

    @Test
    void anonymousAccessAsConfigured() throws Exception {
        // No API server at all: anonymous decisions make no call.
        String nowhere = "http://127.0.0.1:" + dev.healthcheckoperator.operator.testsupport.TestHealthChecks.freePort();
        AccessReviewer deny = reviewer(nowhere, StatusPageConfig.AnonymousAccess.DENY);
        AccessReviewer loopback = reviewer(nowhere, StatusPageConfig.AnonymousAccess.LOOPBACK);
        AccessReviewer all = reviewer(nowhere, StatusPageConfig.AnonymousAccess.ALL);
        try {
            assertThrows(NotAuthenticatedException.class, () -> deny.review(Optional.empty(), true, List.of("a")));
            assertThrows(NotAuthenticatedException.class,
                    () -> loopback.review(Optional.empty(), false, List.of("a")));
            assertTrue(loopback.review(Optional.empty(), true, List.of("a")).everyNamespace());
            Access anyone = all.review(Optional.empty(), false, List.of("a"));
            assertTrue(anyone.everyNamespace());
            assertEquals(AccessReviewer.ANONYMOUS, anyone.subject());
        } finally {
            deny.close();
            loopback.close();
            all.close();
        }
    }

    @Test
    void aMalformedHeaderIsRefusedWithoutACall() {
        for (String header : List.of("Token abc", "Bearer", "Bearer ", "Bearer a b", "Bearer caf\u00e9",
                "Bearer " + "x".repeat(20_000))) {
            assertThrows(NotAuthenticatedException.class, () -> AccessReviewer.bearerToken(header), header);
        }
        assertEquals("abc", AccessReviewer.bearerToken("bearer abc"));
    }

    private static AccessReviewer reviewer(String apiServer, StatusPageConfig.AnonymousAccess anonymous) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(apiServer).withOauthToken("operator")
                .build();
        return new AccessReviewer(config, new TestConfig(anonymous));
    }

    private record TestConfig(AnonymousAccess anonymous) implements StatusPageConfig {

        @Override
        public int defaultPageSize() {
            return 100;
        }

        @Override
        public int maxPageSize() {
            return 500;
        }

        @Override
        public Duration authTimeout() {
            return DEADLINE;
        }

        @Override
        public Duration verdictTtl() {
            return Duration.ofSeconds(10);
        }

        @Override
        public int verdictCacheSize() {
            return 100;
        }

        @Override
        public int reviewConcurrency() {
            return 2;
        }
    }
}
