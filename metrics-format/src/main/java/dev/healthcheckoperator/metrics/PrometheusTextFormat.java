package dev.healthcheckoperator.metrics;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * Keeps {@code /metrics} valid for {@code promtool check metrics}, the Prometheus text format's own linter. The
 * meters Micrometer and Quarkus bind for us break it in six ways, each repaired here:
 * <ul>
 * <li>meters without a description (Netty's, Vert.x's HTTP server's, the Java Operator SDK's) get one: ours where
 * we know the meter, else its name in words;</li>
 * <li>descriptions with double quotes ({@code The "cpu time" used by ...}): the OpenMetrics writer, which answers
 * a scrape without an Accept header, escapes them as {@code \"}, an escape the text format does not have;</li>
 * <li>{@code process_cpu_time_ns_total} counts nanoseconds under an abbreviated unit: replaced by the name every
 * Prometheus client uses, {@code process_cpu_seconds_total}, in seconds;</li>
 * <li>{@code system_cpu_count} is a gauge whose name ends like a histogram's count: renamed {@code system_cpus};</li>
 * <li>long task timers (Vert.x's {@code http.server.connections}) come out as a summary of
 * {@code _active_count} and {@code _duration_sum} samples, which no text-format parser reads as one family: not
 * exported;</li>
 * <li>a timer with both a histogram and percentiles (JOSDK's reconcile timer) writes {@code quantile} samples into a
 * histogram family: the percentiles are dropped, the quantiles come from the buckets.</li>
 * </ul>
 */
@Singleton
public class PrometheusTextFormat implements MeterFilter, MeterBinder {

    static final Map<String, String> MISSING_DESCRIPTIONS = Map.ofEntries(
            Map.entry("netty.allocator.memory.used", "Bytes the Netty buffer allocator holds"),
            Map.entry("netty.allocator.memory.pinned", "Bytes of the Netty allocator held by buffers in use"),
            Map.entry("netty.allocator.pooled.arenas", "Arenas of the pooled Netty allocator"),
            Map.entry("netty.allocator.pooled.cache.size", "Size of the pooled Netty allocator's caches"),
            Map.entry("netty.allocator.pooled.chunk.size", "Bytes per chunk of the pooled Netty allocator"),
            Map.entry("netty.allocator.pooled.threadlocal.caches", "Thread-local caches of the pooled Netty allocator"),
            Map.entry("netty.eventexecutor.tasks.pending", "Tasks waiting in a Netty event loop's queue"),
            Map.entry("http.server.active.requests", "HTTP requests being served"),
            Map.entry("operator.sdk.controllers.execution.reconcile", "Duration of reconciliations, by controller"),
            Map.entry("operator.sdk.reconciliations.started", "Reconciliations started"),
            Map.entry("operator.sdk.reconciliations.success", "Reconciliations that succeeded"),
            Map.entry("operator.sdk.reconciliations.failed", "Reconciliations that failed (each retried with back-off)"),
            Map.entry("operator.sdk.events.received", "Events the controllers received"));

    private static final String NANOSECOND_CPU_TIME = "process.cpu.time";
    private static final String CPU_COUNT = "system.cpu.count";

    @Override
    public Meter.Id map(Meter.Id id) {
        String name = CPU_COUNT.equals(id.getName()) ? "system.cpus" : id.getName();
        String description = id.getDescription();
        if (description == null || description.isBlank()) {
            description = MISSING_DESCRIPTIONS.getOrDefault(name, name.replace('.', ' '));
        } else if (description.indexOf('"') >= 0) {
            description = description.replace('"', '\'');
        }
        if (name.equals(id.getName()) && description == id.getDescription()) {
            return id;
        }
        return new Meter.Id(name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
    }

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        return NANOSECOND_CPU_TIME.equals(id.getName()) || id.getType() == Meter.Type.LONG_TASK_TIMER
                ? MeterFilterReply.DENY
                : MeterFilterReply.NEUTRAL;
    }

    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        boolean both = Boolean.TRUE.equals(config.isPercentileHistogram()) && config.getPercentiles() != null
                && config.getPercentiles().length > 0;
        return both ? DistributionStatisticConfig.builder().percentiles().build().merge(config) : config;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9).baseUnit("seconds")
                    .description("CPU time used by the Java Virtual Machine process").register(registry);
        }
    }
}
