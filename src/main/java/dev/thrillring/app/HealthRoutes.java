package dev.thrillring.app;

import dev.thrillring.auth.Role;
import dev.thrillring.db.Database;
import dev.thrillring.engine.RuleSetRegistry;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /health} (the process is alive), {@code /ready} (it can serve), {@code /metrics}. */
final class HealthRoutes {
    private final Database db;
    private final RuleSetRegistry engine;
    private final Metrics metrics;

    private HealthRoutes(Database db, RuleSetRegistry engine, Metrics metrics) {
        this.db = db;
        this.engine = engine;
        this.metrics = metrics;
    }

    static void register(RoutesConfig routes, Database db, RuleSetRegistry engine, Metrics metrics) {
        HealthRoutes r = new HealthRoutes(db, engine, metrics);
        routes.get("/health", ctx -> ctx.json(Map.of("status", "up")), Role.PUBLIC);
        routes.get("/ready", r::ready, Role.PUBLIC);
        routes.get("/metrics", r::metrics, Role.PUBLIC);
    }

    private void ready(Context ctx) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean database = db.reachable();
        checks.put("database", database ? "up" : "down");
        // Migrations run before the pool opens, so a reachable pool means the schema is current.
        checks.put("migrations", database ? "applied" : "unknown");
        checks.put("rule_sets", engine.ready() ? "loaded" : "loading");
        boolean ok = database && engine.ready();
        ctx.status(ok ? 200 : 503).json(Map.of("status", ok ? "ready" : "not_ready", "checks", checks));
    }

    private void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }
}
