package dev.thrillring.app;

import dev.thrillring.auth.ApiKey;
import dev.thrillring.auth.Role;
import dev.thrillring.db.Database;
import dev.thrillring.engine.RuleSetRegistry;
import dev.thrillring.problems.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code /health} (the process is alive), {@code /ready} (it can serve), {@code /metrics}. */
final class HealthRoutes {
    private final Database db;
    private final RuleSetRegistry engine;
    private final Metrics metrics;
    /** SHA-256 of the scrape token, when the operator set one. */
    private final Optional<String> metricsTokenHash;

    private HealthRoutes(Database db, RuleSetRegistry engine, Metrics metrics, Optional<String> metricsToken) {
        this.db = db;
        this.engine = engine;
        this.metrics = metrics;
        this.metricsTokenHash = metricsToken.map(ApiKey::hash);
    }

    static void register(RoutesConfig routes, Database db, RuleSetRegistry engine, Metrics metrics, Optional<String> metricsToken) {
        HealthRoutes r = new HealthRoutes(db, engine, metrics, metricsToken);
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

    /** Public for scrapers inside the network boundary, or behind {@code THRILLRING_METRICS_TOKEN}. */
    private void metrics(Context ctx) {
        if (metricsTokenHash.isPresent()) {
            String header = ctx.header("Authorization");
            String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
            if (!ApiKey.sameHash(ApiKey.hash(token), metricsTokenHash.get())) {
                throw new Problem.Unauthenticated("send 'Authorization: Bearer <metrics token>' (THRILLRING_METRICS_TOKEN)");
            }
        }
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }
}
