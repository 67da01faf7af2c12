package dev.thrillring.decisions;

import dev.thrillring.web.Requests;
import dev.thrillring.auth.Role;
import dev.thrillring.problems.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Clock;
import java.util.Map;

/** {@code POST /api/v1/facts} and reading decisions back. */
public final class FactRoutes {
    private final FactService service;
    private final FactParser parser;

    private FactRoutes(FactService service, Clock clock) {
        this.service = service;
        this.parser = new FactParser(clock);
    }

    public static void register(RoutesConfig routes, FactService service, Clock clock) {
        FactRoutes r = new FactRoutes(service, clock);
        routes.post("/api/v1/facts", r::ingest, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.INGEST);
        Role[] readers = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER, Role.INGEST};
        routes.get("/api/v1/tenants/{tenant_id}/decisions", r::recent, readers);
        routes.get("/api/v1/tenants/{tenant_id}/decisions/{fact_id}", r::find, readers);
    }

    private void ingest(Context ctx) {
        FactParser.Parsed parsed = parser.parse(Requests.tree(ctx));
        if (parsed.batch()) {
            var items = service.ingestBatch(Requests.principal(ctx), parsed.facts());
            long retry = items.stream().filter(FactService::retryable).count();
            if (retry > 0) {
                // The database failed mid-batch: 503 with each fact's result; sending the batch again completes it.
                ctx.status(503).header("Retry-After", "2");
                ctx.json(Map.of("title", "Service unavailable", "status", 503, "retryable", true,
                        "detail", retry + " of " + items.size() + " facts have no decision because the database failed; send the batch again",
                        "results", items));
            } else {
                ctx.json(Map.of("results", items));
            }
        } else {
            Decision d = service.ingestOne(Requests.principal(ctx), parsed.facts().getFirst());
            if (d.status().equals("replayed")) ctx.header("Idempotent-Replayed", "true");
            ctx.json(d);
        }
    }

    private void recent(Context ctx) {
        int limit = ctx.queryParamAsClass("limit", Integer.class).getOrDefault(50);
        if (limit < 1 || limit > 500) throw new Problem.Invalid("limit", "must be between 1 and 500");
        ctx.json(Map.of("decisions", service.recent(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), limit)));
    }

    private void find(Context ctx) {
        ctx.json(service.find(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), ctx.pathParam("fact_id")));
    }
}
