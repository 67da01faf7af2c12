package dev.thrillring.tenants;

import dev.thrillring.web.Requests;
import dev.thrillring.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;


/** {@code /api/v1/tenants}: create a tenant, read it, issue its API keys. */
public final class TenantRoutes {
    private final TenantService service;

    private TenantRoutes(TenantService service) { this.service = service; }

    public static void register(RoutesConfig routes, TenantService service) {
        TenantRoutes r = new TenantRoutes(service);
        routes.post("/api/v1/tenants", r::create, Role.PLATFORM_ADMIN);
        routes.get("/api/v1/tenants/{tenant_id}", r::get, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER);
        routes.post("/api/v1/tenants/{tenant_id}/api-keys", r::issueKey, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
        routes.put("/api/v1/tenants/{tenant_id}/rate-limit", r::rateLimit, Role.PLATFORM_ADMIN);
        routes.get("/api/v1/tenants/{tenant_id}/api-keys", r::keys, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
        routes.delete("/api/v1/tenants/{tenant_id}/api-keys/{key_id}", r::revoke, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
        routes.get("/api/v1/tenants/{tenant_id}/audit", r::audit, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
    }

    private void create(Context ctx) {
        var req = Requests.body(ctx, TenantService.NewTenant.class);
        ctx.status(HttpStatus.CREATED).json(service.create(Requests.principal(ctx), req));
    }

    private void get(Context ctx) {
        ctx.json(service.get(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id")));
    }

    private void keys(Context ctx) {
        ctx.json(java.util.Map.of("api_keys", service.keys(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"))));
    }

    private void revoke(Context ctx) {
        service.revokeKey(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "key_id"));
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void audit(Context ctx) {
        int limit = Requests.limitQuery(ctx, 100, 1000);
        ctx.json(java.util.Map.of("entries", service.auditLog(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), limit)));
    }

    private record RateLimit(Integer rateLimitPerSecond) {}

    private void rateLimit(Context ctx) {
        var req = Requests.body(ctx, RateLimit.class);
        ctx.json(service.setRateLimit(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), req.rateLimitPerSecond()));
    }

    private record NewKey(String role, String userId) {}

    private void issueKey(Context ctx) {
        var req = Requests.body(ctx, NewKey.class);
        IssuedKey key = service.issueKey(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), req.role(), req.userId());
        ctx.status(HttpStatus.CREATED).json(key);
    }

}
