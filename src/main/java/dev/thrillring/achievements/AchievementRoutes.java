package dev.thrillring.achievements;

import dev.thrillring.web.Requests;
import dev.thrillring.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

/**
 * The seed's achievement routes under {@code /api/v1/gamification/achievements}, and
 * {@code /api/v1/achievements/custom}.
 */
public final class AchievementRoutes {
    private final AchievementService service;

    private AchievementRoutes(AchievementService service) { this.service = service; }

    public static void register(RoutesConfig routes, AchievementService service) {
        AchievementRoutes r = new AchievementRoutes(service);
        Role[] readers = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER};
        Role[] authors = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST};
        routes.get("/api/v1/gamification/achievements", r::catalogue, readers);
        routes.get("/api/v1/gamification/achievements/progress/{tenant_id}", r::progress, readers);
        routes.post("/api/v1/gamification/achievements/custom", r::custom, authors);
        routes.post("/api/v1/achievements/custom", r::custom, authors);
        routes.get("/api/v1/gamification/achievements/{tenant_id}", r::progress, readers);
        // The seed's unprefixed paths, aliases of the gateway's.
        routes.get("/achievements/progress/{tenant_id}", r::progress, readers);
        routes.post("/achievements/custom", r::custom, authors);
    }

    private void catalogue(Context ctx) {
        ctx.json(service.catalogue(Requests.principal(ctx), Requests.nameQuery(ctx, "platform")));
    }

    private void progress(Context ctx) {
        var caller = Requests.principal(ctx);
        ctx.json(service.progress(caller, Requests.uuidPath(ctx, "tenant_id"),
                Requests.nameQuery(ctx, "platform"), caller.subjectFor(Requests.userIdQuery(ctx, "user_id"))));
    }

    private void custom(Context ctx) {
        var req = Requests.body(ctx, AchievementService.NewCustom.class);
        ctx.status(HttpStatus.CREATED).json(service.createCustom(Requests.principal(ctx), req));
    }
}
