package dev.healthcheckoperator.operator.dependent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.healthcheckoperator.operator.config.OperatorConfig;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Turns for rollouts that the operator, not a HealthCheck's spec, causes (see {@link OperatorConfig.Rollout}): one
 * every {@code 60 s / max-per-minute}, first come first served, never two in the same slot. A HealthCheck that asks
 * is given the next free slot and keeps it while it waits, so each waiting one is looked at again once, at its
 * time, not all of them at every free slot. And at most {@code max-per-minute} turns are given in any 60 s:
 * reconciliations that come back late (a busy operator, a long queue) would otherwise use several passed slots at
 * once (57 rolled in one minute at 50 per minute in bench-operator's upgrade, before this bound). A late one whose
 * minute is full keeps its place and comes back when the oldest turn of that minute is a minute old.
 * <p>
 * Only the turns are kept here, not which Deployments wait: that is read from the live Deployments on every
 * reconciliation (their pod template differs from the desired one, for a HealthCheck generation they were already
 * rendered for). After a restart or a leader handover the waiting ones ask again and are given new slots from then
 * on, at the same rate: nothing is rolled early, and a turn that was lost is only given again.
 */
@ApplicationScoped
public class RolloutPacer {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final Duration spacing;
    private final Clock clock;
    private final Map<ResourceID, Instant> reserved = new HashMap<>();
    private Instant nextFree = Instant.MIN;
    /** When the turns of the last 60 s were given, oldest first: at most perMinute of them. */
    private final Deque<Instant> given = new ArrayDeque<>();
    private final int perMinute;

    public RolloutPacer(OperatorConfig config, Clock clock) {
        int perMinute = config.rollout().maxPerMinute();
        if (perMinute < 1) {
            throw new IllegalArgumentException("healthcheck.rollout.max-per-minute must be at least 1, got "
                    + perMinute);
        }
        this.perMinute = perMinute;
        this.spacing = Duration.ofMinutes(1).dividedBy(perMinute);
        this.clock = clock;
    }

    /** Empty when the Deployment may roll now (its turn is used up); else how long until its turn. */
    public synchronized Optional<Duration> waitFor(ResourceID healthCheck) {
        Instant now = clock.instant();
        forgetPassed(now);
        Instant slot = reserved.get(healthCheck);
        if (slot == null) {
            slot = nextFree.isBefore(now) ? now : nextFree;
            nextFree = slot.plus(spacing);
        }
        if (!slot.isAfter(now)) {
            while (!given.isEmpty() && !given.peekFirst().plus(MINUTE).isAfter(now)) {
                given.removeFirst();
            }
            if (given.size() < perMinute) {
                reserved.remove(healthCheck);
                given.addLast(now);
                return Optional.empty();
            }
            reserved.put(healthCheck, slot);
            return Optional.of(Duration.between(now, given.peekFirst().plus(MINUTE)));
        }
        reserved.put(healthCheck, slot);
        return Optional.of(Duration.between(now, slot));
    }

    /** The HealthCheck no longer waits (its spec changed, which rolls at once): its slot is given up. */
    public synchronized void release(ResourceID healthCheck) {
        reserved.remove(healthCheck);
    }

    /**
     * Slots long passed whose HealthCheck never came back (deleted while it waited): dropped, so the map holds no
     * more than the HealthChecks that wait now. A slot stays valid for a minute past its time, ample for a
     * reconciliation that was scheduled for it.
     */
    private void forgetPassed(Instant now) {
        Instant stale = now.minus(Duration.ofMinutes(1));
        reserved.values().removeIf(slot -> slot.isBefore(stale));
    }
}
