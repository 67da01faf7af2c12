package dev.thrillring.app;

import dev.thrillring.auth.ApiKey;
import dev.thrillring.auth.Role;
import dev.thrillring.db.DatabaseSupervisor;
import dev.thrillring.db.DiskWatch;
import dev.thrillring.engine.RuleSetRegistry;
import dev.thrillring.problems.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /health} (the process is alive; "degraded" with reasons while the database is down or the
 * disk low), {@code /ready} (it can serve), {@code /metrics}. Health and readiness read state kept
 * up to date in the background ({@link DatabaseSupervisor}, {@link DiskWatch}): they never wait
 * on the database.
 */
final class HealthRoutes {
    private final DatabaseSupervisor db;
    private final Optional<DiskWatch> disk;
    private final RuleSetRegistry engine;
    private final Metrics metrics;
    /** SHA-256 of the scrape token, when the operator set one. */
    private final Optional<String> metricsTokenHash;

    private HealthRoutes(DatabaseSupervisor db, Optional<DiskWatch> disk, RuleSetRegistry engine, Metrics metrics, Optional<String> metricsToken) {
        this.db = db;
        this.disk = disk;
        this.engine = engine;
        this.metrics = metrics;
        this.metricsTokenHash = metricsToken.map(ApiKey::hash);
    }

    static void register(RoutesConfig routes, DatabaseSupervisor db, Optional<DiskWatch> disk, RuleSetRegistry engine, Metrics metrics,
                         Optional<String> metricsToken) {
        HealthRoutes r = new HealthRoutes(db, disk, engine, metrics, metricsToken);
        routes.get("/health", r::health, Role.PUBLIC);
        routes.get("/ready", r::ready, Role.PUBLIC);
        routes.get("/metrics", r::metrics, Role.PUBLIC);
    }

    /**
     * 200 while the process runs: "up", or "degraded" with reasons. A degraded service heals itself
     * (the supervisor restarts the database; freed disk lifts the write refusal), so a liveness probe
     * should not restart it for that; an orchestrator can read {@code down_since} and decide.
     */
    private void health(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        java.util.List<String> reasons = new java.util.ArrayList<>();
        DatabaseSupervisor.State s = db.state();
        Map<String, Object> database = new LinkedHashMap<>();
        database.put("status", s.up() ? "up" : "down");
        if (!s.up()) {
            database.put("reason", s.reason());
            database.put("down_since", s.since().toString());
            reasons.add("database: " + s.reason());
        }
        database.put("restarts", s.restarts());
        disk.ifPresent(d -> {
            DiskWatch.Space space = d.space();
            if (space.low()) reasons.add("disk: free space " + (space.freeBytes() >> 20) + " MiB is below the floor of "
                    + (space.floorBytes() >> 20) + " MiB; writes are refused");
        });
        body.put("status", reasons.isEmpty() ? "up" : "degraded");
        if (!reasons.isEmpty()) body.put("reasons", reasons);
        body.put("database", database);
        ctx.json(body);
    }

    private void ready(Context ctx) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean database = db.state().up();
        checks.put("database", database ? "up" : "down");
        // Migrations run before the pool opens, so a reachable pool means the schema is current.
        checks.put("migrations", database ? "applied" : "unknown");
        checks.put("rule_sets", engine.ready() ? "loaded" : "loading");
        disk.ifPresent(d -> checks.put("disk", d.space().low() ? "low" : "ok"));
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
