package dev.thrillring.web;

import dev.thrillring.auth.AuthService;
import dev.thrillring.auth.Role;
import dev.thrillring.problems.Problem;
import io.javalin.http.Context;
import io.javalin.security.RouteRole;

import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Runs before every matched route: every route declares its roles, and a route without any is
 * refused rather than left open. Then the rate limits: per client address on public routes, per
 * key and per tenant elsewhere.
 */
public final class AccessControl {
    /** The limits an operator sets (requests per second). */
    public record Settings(Set<String> trustedProxies, int ratePublicPerSecond, int rateTenantPerSecond, int rateKeyPerSecond) {}

    private final AuthService auth;
    private final RateLimits limits;
    private final Function<UUID, Integer> tenantRate;
    private final Settings settings;
    private final PageSession pages;

    /** @param tenantRate a tenant's own request rate, or null for the default */
    public AccessControl(AuthService auth, RateLimits limits, Function<UUID, Integer> tenantRate, Settings settings) {
        this(auth, limits, tenantRate, settings, PageSession.NONE);
    }

    /** As above; {@code pages} gives a request without an Authorization header its page session's credential. */
    public AccessControl(AuthService auth, RateLimits limits, Function<UUID, Integer> tenantRate, Settings settings, PageSession pages) {
        this.auth = auth;
        this.limits = limits;
        this.tenantRate = tenantRate;
        this.settings = settings;
        this.pages = pages;
    }

    public void authorise(Context ctx) {
        Set<RouteRole> allowed = ctx.routeRoles();
        if (allowed.contains(Role.PUBLIC)) {
            if (!ctx.path().equals("/health") && !ctx.path().equals("/ready")) {
                // Behind a trusted proxy the peer is the proxy: the bucket is the client's, not one for all.
                limit(ctx, limits.take("ip:" + ClientAddress.of(ctx, settings.trustedProxies()), settings.ratePublicPerSecond()), "this address");
            }
            return;
        }
        String authorization = ctx.header("Authorization");
        if (authorization == null) authorization = pages.credential(ctx).map(c -> "Bearer " + c).orElse(null);
        var principal = auth.authenticate(authorization).from(ClientAddress.of(ctx, settings.trustedProxies()));
        if (!allowed.contains(principal.role())) {
            throw new Problem.Forbidden("the " + principal.role().wireName() + " role may not use this route");
        }
        // A key never reaches a handler of a tenant or platform it may not act for, whatever the
        // handler checks: a tenant's key stays in its tenant, a platform admin in its platform.
        String pathPlatform = ctx.pathParamMap().get("platform");
        if (pathPlatform != null) principal.requirePlatform(pathPlatform);
        String pathTenant = ctx.pathParamMap().get("tenant_id");
        if (pathTenant != null && !principal.isOperator()) {
            try {
                if (!principal.canActFor(UUID.fromString(pathTenant))) {
                    throw new Problem.Forbidden("this key may not act for tenant " + pathTenant);
                }
            } catch (IllegalArgumentException notAUuid) {
                // the route answers a malformed id with 422
            }
        }
        if (principal.tenantId().isPresent()) {
            Integer own = tenantRate.apply(principal.tenantId().get());
            int rate = own == null ? settings.rateTenantPerSecond() : own;
            limit(ctx, limits.take("tenant:" + principal.tenantId().get(), rate), "this tenant");
            limit(ctx, limits.take("key:" + principal.keyId(), Math.min(rate, settings.rateKeyPerSecond())), "this API key");
        } else {
            limit(ctx, limits.take("key:" + principal.keyId(), settings.rateKeyPerSecond()), "this API key");
        }
        ctx.attribute(Requests.PRINCIPAL, principal);
    }

    private static void limit(Context ctx, RateLimits.Decision d, String who) {
        if (!d.allowed()) {
            throw new Problem.TooManyRequests("the request rate of " + who + " (" + d.limit() + " per second) is spent; retry in "
                    + d.retryAfterSeconds() + " s", d.retryAfterSeconds(), d.limit());
        }
        ctx.header("RateLimit-Limit", Integer.toString(d.limit()));
        ctx.header("RateLimit-Remaining", Integer.toString(d.remaining()));
        // Remaining can exceed Limit by the burst; the policy header says so in the draft's terms.
        ctx.header("RateLimit-Policy", d.limit() + ";w=1;burst=" + 2 * d.limit());
    }
}
