package dev.thrillring.platforms;

import dev.thrillring.web.Requests;
import dev.thrillring.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.Map;

/** {@code /api/v1/platforms/{platform}}: a platform's admin keys, tenants and audit log. */
public final class PlatformRoutes {
    private final PlatformService service;

    private PlatformRoutes(PlatformService service) { this.service = service; }

    public static void register(RoutesConfig routes, PlatformService service) {
        PlatformRoutes r = new PlatformRoutes(service);
        String base = "/api/v1/platforms/{platform}";
        routes.post(base + "/api-keys", r::issueKey, Role.PLATFORM_ADMIN);
        routes.get(base + "/api-keys", r::keys, Role.PLATFORM_ADMIN);
        routes.delete(base + "/api-keys/{key_id}", r::revoke, Role.PLATFORM_ADMIN);
        routes.get(base + "/tenants", r::tenants, Role.PLATFORM_ADMIN);
        routes.get(base + "/audit", r::audit, Role.PLATFORM_ADMIN);
    }

    private void issueKey(Context ctx) {
        ctx.status(HttpStatus.CREATED).json(service.issueKey(Requests.principal(ctx), ctx.pathParam("platform")));
    }

    private void keys(Context ctx) {
        ctx.json(Map.of("api_keys", service.keys(Requests.principal(ctx), ctx.pathParam("platform"))));
    }

    private void revoke(Context ctx) {
        service.revokeKey(Requests.principal(ctx), ctx.pathParam("platform"), Requests.uuidPath(ctx, "key_id"));
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void tenants(Context ctx) {
        ctx.json(Map.of("tenants", service.tenants(Requests.principal(ctx), ctx.pathParam("platform"))));
    }

    private void audit(Context ctx) {
        int limit = Requests.limitQuery(ctx, 100, 1000);
        ctx.json(Map.of("entries", service.auditLog(Requests.principal(ctx), ctx.pathParam("platform"), limit)));
    }
}
