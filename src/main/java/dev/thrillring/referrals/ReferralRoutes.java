package dev.thrillring.referrals;

import dev.thrillring.app.Requests;
import dev.thrillring.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Referral programs, code generation (the seed's and the gateway's routes) and share-link clicks. */
public final class ReferralRoutes {
    private final ReferralService service;
    private final Set<String> trustedProxies;

    private ReferralRoutes(ReferralService service, Set<String> trustedProxies) {
        this.service = service;
        this.trustedProxies = trustedProxies;
    }

    public static void register(RoutesConfig routes, ReferralService service, Set<String> trustedProxies) {
        ReferralRoutes r = new ReferralRoutes(service, trustedProxies);
        Role[] issuers = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.INGEST};
        Role[] readers = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER, Role.INGEST};
        routes.post("/api/v1/referrals/{tenant_id}/programs", r::createProgram, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
        routes.get("/api/v1/referrals/{tenant_id}/programs", r::programs, readers);
        routes.get("/api/v1/referrals/{tenant_id}/codes/{code}", r::code, readers);
        routes.post("/api/v1/gamification/referral/generate-code", r::generate, issuers);
        routes.post("/api/v1/gamification/referrals/generate", r::generate, issuers);
        routes.get("/r/{code}", r::click, Role.PUBLIC);
    }

    private void createProgram(Context ctx) {
        var req = Requests.body(ctx, ReferralService.NewProgram.class);
        ctx.status(HttpStatus.CREATED).json(service.createProgram(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), req));
    }

    private void programs(Context ctx) {
        ctx.json(Map.of("programs", service.programs(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"))));
    }

    private void code(Context ctx) {
        ctx.json(service.code(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), ctx.pathParam("code")));
    }

    private void generate(Context ctx) {
        var req = Requests.body(ctx, ReferralService.CodeRequest.class);
        ctx.status(HttpStatus.CREATED).json(service.generateCode(Requests.principal(ctx), req));
    }

    private void click(Context ctx) {
        var click = service.click(ctx.pathParam("code"), clientIp(ctx), ctx.userAgent(), ctx.queryParam("d"));
        ctx.header("Cache-Control", "no-store");
        if (click.redirectTo() != null) ctx.redirect(click.redirectTo(), HttpStatus.FOUND);
        else ctx.json(Map.of("referral_code", click.code(), "click_id", click.clickId()));
    }

    /**
     * The visitor's address: the peer's, unless the peer is a configured trusted proxy, in which
     * case the last address in {@code X-Forwarded-For} that is not itself a trusted proxy.
     */
    String clientIp(Context ctx) {
        String peer = ctx.req().getRemoteAddr();
        String forwarded = ctx.header("X-Forwarded-For");
        if (!trustedProxies.contains(peer) || forwarded == null) return peer;
        List<String> hops = List.of(forwarded.split("\\s*,\\s*"));
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i).trim();
            if (!hop.isEmpty() && !trustedProxies.contains(hop)) return hop.length() > 45 ? peer : hop;
        }
        return peer;
    }
}
