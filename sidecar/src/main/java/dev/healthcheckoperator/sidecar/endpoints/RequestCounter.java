package dev.healthcheckoperator.sidecar.endpoints;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts every request by route and status without a lock: a {@link LongAdder} per series, found with a
 * lock-free {@link ConcurrentHashMap#get}; only the first request of a new series registers it. Routes are
 * a fixed set and unknown paths count as {@code other}, so the series stay few whatever clients send.
 */
@Singleton
public class RequestCounter {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Integer, LongAdder> series = new ConcurrentHashMap<>();

    RequestCounter(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(Route route, int status) {
        int key = route.ordinal() * 1000 + status;
        LongAdder adder = series.get(key);
        if (adder == null) {
            adder = series.computeIfAbsent(key, k -> register(route, status));
        }
        adder.increment();
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
