package dev.thrillring.app;

import io.javalin.http.Context;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.concurrent.TimeUnit;

/** The Prometheus registry and the per-route request timer. */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() { return registry; }

    /** Records one finished request under its route template, never its raw path. */
    void recordRequest(Context ctx, float millis) {
        String route;
        try {
            var endpoint = ctx.endpoints().lastHttpEndpoint();
            route = endpoint == null ? "unmatched" : endpoint.path;
        } catch (RuntimeException e) {
            route = "unmatched";
        }
        Timer.builder("http.server.requests")
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", Integer.toString(ctx.statusCode()))
                .publishPercentileHistogram()
                .register(registry)
                .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
    }

    String scrape() { return registry.scrape(); }
}
