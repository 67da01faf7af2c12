package dev.thrillring.analytics;

import dev.thrillring.auth.Role;
import dev.thrillring.web.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code GET /api/v1/gamification/analytics/{tenant_id}} and the seed's {@code /analytics/gamification/{tenant_id}} (also under the
 * gateway prefix);
 * {@code GET /api/v1/platforms/{platform}/analytics}: the same across a platform's tenants.
 */
public final class AnalyticsRoutes {
    private final AnalyticsService service;

    private AnalyticsRoutes(AnalyticsService service) { this.service = service; }

    public static void register(RoutesConfig routes, AnalyticsService service) {
        AnalyticsRoutes r = new AnalyticsRoutes(service);
        Role[] readers = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST};
        routes.get("/api/v1/gamification/analytics/{tenant_id}", r::analytics, readers);
        routes.get("/analytics/gamification/{tenant_id}", r::analytics, readers);
        // The seed's path under the gateway prefix: a client whose base URL is /api/v1/gamification calls this.
        routes.get("/api/v1/gamification/analytics/gamification/{tenant_id}", r::analytics, readers);
        routes.get("/api/v1/platforms/{platform}/analytics", r::platformAnalytics, Role.PLATFORM_ADMIN);
        routes.get("/api/v1/tenants/{tenant_id}/holdout", r::holdout, readers);
        routes.put("/api/v1/tenants/{tenant_id}/holdout", r::setHoldout, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
    }

    private record HoldoutShare(java.math.BigDecimal share) {}

    private void holdout(Context ctx) {
        ctx.json(service.holdout(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id")));
    }

    private void setHoldout(Context ctx) {
        var req = Requests.body(ctx, HoldoutShare.class);
        ctx.json(service.setHoldout(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), req.share()));
    }

    private void platformAnalytics(Context ctx) {
        ctx.json(service.platformAnalytics(Requests.principal(ctx), ctx.pathParam("platform"), ctx.queryParam("time_period"),
                ctx.queryParam("from"), ctx.queryParam("to"), ctx.queryParam("metrics")));
    }

    private void analytics(Context ctx) {
        ctx.json(service.analytics(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), ctx.queryParam("time_period"),
                ctx.queryParam("from"), ctx.queryParam("to"), ctx.queryParam("metrics")));
    }
}
