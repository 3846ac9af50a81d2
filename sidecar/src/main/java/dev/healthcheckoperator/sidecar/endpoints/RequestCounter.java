package dev.healthcheckoperator.sidecar.endpoints;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts every request by route and status without allocating, and without a lock once a series exists: a {@link LongAdder} per
 * series in a fixed slot (route x status code), read with a plain volatile load; only the first request of
 * a new series registers it. Routes are a fixed set and unknown paths count as {@code other}, so the series
 * stay few whatever clients send.
 */
@Singleton
public class RequestCounter {

    private final MeterRegistry registry;
    private static final int LOWEST_STATUS = 100;
    private static final int STATUSES = 500; // 100..599, every code HTTP defines
    private final AtomicReferenceArray<LongAdder> series =
            new AtomicReferenceArray<>(Route.values().length * STATUSES);

    RequestCounter(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(Route route, int status) {
        if (status < LOWEST_STATUS || status >= LOWEST_STATUS + STATUSES) {
            throw new IllegalArgumentException("not an HTTP status code: " + status);
        }
        int slot = route.ordinal() * STATUSES + status - LOWEST_STATUS;
        LongAdder adder = series.get(slot);
        if (adder == null) {
            adder = registerOnce(slot, route, status);
        }
        adder.increment();
    }

    /** Two threads may meet a new series at once: one registers it, both count on the same adder. */
    private synchronized LongAdder registerOnce(int slot, Route route, int status) {
        LongAdder adder = series.get(slot);
        if (adder == null) {
            adder = register(route, status);
            series.set(slot, adder);
        }
        return adder;
    }

    private LongAdder register(Route route, int status) {
        LongAdder adder = new LongAdder();
        FunctionCounter.builder("sidecar.http.requests", adder, LongAdder::sum)
                .description("HTTP requests served, by route and status code")
                .tags("route", route.path, "status", Integer.toString(status))
                .register(registry);
        return adder;
    }
}
