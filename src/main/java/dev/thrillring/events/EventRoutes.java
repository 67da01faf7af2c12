package dev.thrillring.events;

import dev.thrillring.auth.Role;
import dev.thrillring.problems.Problem;
import dev.thrillring.web.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** {@code GET /api/v1/tenants/{tenant_id}/events?after=&limit=}: the tenant's events in order. */
public final class EventRoutes {
    private final EventService service;

    private EventRoutes(EventService service) { this.service = service; }

    public static void register(RoutesConfig routes, EventService service) {
        EventRoutes r = new EventRoutes(service);
        routes.get("/api/v1/tenants/{tenant_id}/events", r::page, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST);
    }

    private void page(Context ctx) {
        long after = ctx.queryParamAsClass("after", Long.class).getOrDefault(0L);
        if (after < 0) throw new Problem.Invalid("after", "must be a position, 0 or more");
        int limit = Requests.limitQuery(ctx, 100, 1000);
        ctx.json(service.after(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), after, limit));
    }
}
