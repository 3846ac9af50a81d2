package dev.healthcheckoperator.operator.reconciler;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Decides, for each Event the operator would write, whether it is written and how: as a new Event, as one more
 * occurrence in the series of an identical recent Event (events.k8s.io/v1 series), or not at all because the
 * object or the operator as a whole has written too many lately. Occurrences that are not written still count, so
 * the next series update that is allowed carries the true count.
 * <p>
 * Each object has a token bucket (a burst, then one token per refill interval), and so do all objects together.
 * Memory is bounded: the least recently active objects are forgotten first, and each object keeps only its most
 * recent distinct Events.
 */
final class EventThrottle {

    /** Distinct Events (by key) remembered per object. */
    private static final int SERIES_PER_OBJECT = 16;

    enum Action {
        CREATE, UPDATE_SERIES, DROP
    }

    /** What to do, and for a series update the Event to update and its count so far. */
    record Decision(Action action, String eventName, int count) {
    }

    /** What makes two Events the same, after client-go's isomorphic Events. */
    record Key(String type, String reason, String action, String note) {
    }

    private final int burst;
    private final long refillNanos;
    private final long seriesWindowNanos;
    private final int trackedObjects;
    private final TokenBucket global;
    private final LongSupplier nanoTime;
    private final Map<String, ObjectHistory> objects;

    EventThrottle(int burst, Duration refillInterval, int globalBurst, double globalPerSecond,
            Duration seriesWindow, int trackedObjects, LongSupplier nanoTime) {
        this.burst = burst;
        this.refillNanos = refillInterval.toNanos();
        this.seriesWindowNanos = seriesWindow.toNanos();
        this.trackedObjects = trackedObjects;
        this.nanoTime = nanoTime;
        this.global = new TokenBucket(globalBurst, (long) (1_000_000_000L / globalPerSecond), nanoTime.getAsLong());
        this.objects = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ObjectHistory> eldest) {
                return size() > EventThrottle.this.trackedObjects;
            }
        };
    }

    /**
     * @param uid the object's UID: a re-created object with the same name starts afresh
     * @param newName the name a new Event would get
     */
    synchronized Decision decide(String uid, Key key, String newName) {
        long now = nanoTime.getAsLong();
        ObjectHistory history = objects.computeIfAbsent(uid, u -> new ObjectHistory(new TokenBucket(burst,
                refillNanos, now)));
        Series series = history.series.get(key);
        boolean inSeries = series != null && now - series.lastSeenNanos <= seriesWindowNanos;
        if (inSeries) {
            series.count++;
            series.lastSeenNanos = now;
        }
        if (!history.bucket.tryTake(now)) {
            return new Decision(Action.DROP, null, 0);
        }
        if (!global.tryTake(now)) {
            history.bucket.giveBack();
            return new Decision(Action.DROP, null, 0);
        }
        if (inSeries) {
            return new Decision(Action.UPDATE_SERIES, series.eventName, series.count);
        }
        history.series.put(key, new Series(newName, now));
        return new Decision(Action.CREATE, newName, 1);
    }

    /** A write that failed: the Event may not exist, so the next identical one is created again. */
    synchronized void forget(String uid, Key key) {
        ObjectHistory history = objects.get(uid);
        if (history != null) {
            history.series.remove(key);
        }
    }

    private static final class ObjectHistory {
        final TokenBucket bucket;
        final Map<Key, Series> series = new LinkedHashMap<>(4, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Series> eldest) {
                return size() > SERIES_PER_OBJECT;
            }
        };

        ObjectHistory(TokenBucket bucket) {
            this.bucket = bucket;
        }
    }

    private static final class Series {
        final String eventName;
        int count = 1;
        long lastSeenNanos;

        Series(String eventName, long lastSeenNanos) {
            this.eventName = eventName;
            this.lastSeenNanos = lastSeenNanos;
        }
    }

    /** Starts full; one token comes back per refill interval, up to the burst. */
    private static final class TokenBucket {
        private final int capacity;
        private final long refillNanos;
        private double tokens;
        private long lastRefill;

        TokenBucket(int capacity, long refillNanos, long now) {
            this.capacity = capacity;
            this.refillNanos = Math.max(1, refillNanos);
            this.tokens = capacity;
            this.lastRefill = now;
        }

        boolean tryTake(long now) {
            tokens = Math.min(capacity, tokens + (double) (now - lastRefill) / refillNanos);
            lastRefill = now;
            if (tokens < 1) {
                return false;
            }
            tokens--;
            return true;
        }

        void giveBack() {
            tokens = Math.min(capacity, tokens + 1);
        }
    }
}
