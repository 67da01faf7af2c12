package dev.thrillring.referrals;

import dev.thrillring.web.Requests;
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
    private final ConversionService conversions;
    private final Set<String> trustedProxies;

    private ReferralRoutes(ReferralService service, ConversionService conversions, Set<String> trustedProxies) {
        this.service = service;
        this.conversions = conversions;
        this.trustedProxies = trustedProxies;
    }

    public static void register(RoutesConfig routes, ReferralService service, ConversionService conversions, Set<String> trustedProxies) {
        ReferralRoutes r = new ReferralRoutes(service, conversions, trustedProxies);
        Role[] issuers = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.INGEST};
        Role[] readers = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER, Role.INGEST};
        routes.post("/api/v1/referrals/{tenant_id}/programs", r::createProgram, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
        routes.get("/api/v1/referrals/{tenant_id}/programs", r::programs, readers);
        routes.get("/api/v1/referrals/{tenant_id}/codes/{code}", r::code, readers);
        routes.post("/api/v1/gamification/referral/generate-code", r::generate, issuers);
        routes.post("/api/v1/gamification/referrals/generate", r::generate, issuers);
        routes.get("/r/{code}", r::click, Role.PUBLIC);
        routes.post("/api/v1/gamification/referral/track-conversion", r::track, issuers);
        routes.get("/api/v1/referrals/{tenant_id}/review-queue", r::reviewQueue, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
        routes.post("/api/v1/referrals/{tenant_id}/clicks", r::serverClick, issuers);
        routes.post("/api/v1/referrals/{tenant_id}/signups", r::signup, issuers);
        routes.get("/api/v1/referrals/{tenant_id}/conversions", r::conversions, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST);
        routes.get("/api/v1/referrals/{tenant_id}/conversions/{conversion_id}", r::conversion, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST);
        routes.post("/api/v1/referrals/{tenant_id}/conversions/{conversion_id}/review", r::review, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
        routes.post("/api/v1/referrals/{tenant_id}/conversions/{conversion_id}/refund", r::refund, issuers);
        routes.get("/api/v1/referrals/{tenant_id}/rewards", r::rewards, readers);
        routes.post("/api/v1/referrals/{tenant_id}/rewards/{reward_id}/paid", r::paid, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
        routes.get("/api/v1/referrals/{tenant_id}/programs/{program_id}/funnel", r::funnel, readers);
    }

    private void track(Context ctx) {
        var req = Requests.body(ctx, ConversionService.NewConversion.class);
        ctx.json(conversions.track(Requests.principal(ctx), req, clientIp(ctx), device(ctx)));
    }

    private void reviewQueue(Context ctx) {
        ctx.json(conversions.reviewQueue(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), cursor(ctx), Requests.limitQuery(ctx, 100, 500)));
    }

    private void conversions(Context ctx) {
        var filter = new ConversionListing.Filter(ctx.queryParam("status"), Requests.userIdQuery(ctx, "referrer_user_id"),
                timeQuery(ctx, "from"), timeQuery(ctx, "to"));
        ctx.json(conversions.conversions(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), filter, cursor(ctx),
                Requests.limitQuery(ctx, 100, 500)));
    }

    private void conversion(Context ctx) {
        ctx.json(conversions.conversion(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "conversion_id")));
    }

    private void serverClick(Context ctx) {
        var req = Requests.body(ctx, ReferralEvents.NewClick.class);
        ctx.status(HttpStatus.CREATED).json(service.events().click(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), req,
                clientIp(ctx), device(ctx)));
    }

    private void signup(Context ctx) {
        var req = Requests.body(ctx, ReferralEvents.NewSignup.class);
        var out = service.events().signup(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), req, clientIp(ctx), device(ctx));
        ctx.status(out.containsKey("replayed") ? HttpStatus.OK : HttpStatus.CREATED).json(out);
    }

    private static String cursor(Context ctx) {
        String c = ctx.queryParam("cursor");
        if (c != null && (c.isEmpty() || c.length() > 200)) throw new dev.thrillring.problems.Problem.Invalid("cursor", "is not a cursor this service gave out");
        return c;
    }

    private static java.time.Instant timeQuery(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null) return null;
        try {
            return java.time.OffsetDateTime.parse(v).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new dev.thrillring.problems.Problem.Invalid(name, EventTime.FORMAT);
        }
    }

    private record ReviewRequest(String decision, String note) {}

    private void review(Context ctx) {
        var req = Requests.body(ctx, ReviewRequest.class);
        ctx.json(conversions.review(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"),
                Requests.uuidPath(ctx, "conversion_id"), req.decision(), req.note()));
    }

    private record RefundRequest(String note) {}

    private void refund(Context ctx) {
        String note = ctx.body().isBlank() ? null : Requests.body(ctx, RefundRequest.class).note();
        ctx.json(conversions.refund(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "conversion_id"), note));
    }

    private void rewards(Context ctx) {
        ctx.json(Map.of("rewards", conversions.rewards(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.userIdQuery(ctx, "beneficiary"))));
    }

    private void paid(Context ctx) {
        ctx.json(conversions.markPaid(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "reward_id")));
    }

    private void funnel(Context ctx) {
        ctx.json(conversions.funnel(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), Requests.uuidPath(ctx, "program_id")));
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
        ctx.status(HttpStatus.CREATED).json(service.generateCode(Requests.principal(ctx), req, clientIp(ctx), device(ctx)));
    }

    private void click(Context ctx) {
        var click = service.click(ctx.pathParam("code"), clientIp(ctx), ctx.userAgent(), ctx.queryParam("d"));
        ctx.header("Cache-Control", "no-store");
        if (click.redirectTo() != null) ctx.redirect(click.redirectTo(), HttpStatus.FOUND);
        else ctx.json(Map.of("referral_code", click.code(), "click_id", click.clickId()));
    }

    /** The device fingerprint the platform's page computed, passed in {@code X-Device-Fingerprint}. */
    static String device(Context ctx) {
        String d = ctx.header("X-Device-Fingerprint");
        return d == null || d.isBlank() ? null : d.length() > 128 ? d.substring(0, 128) : d;
    }

    String clientIp(Context ctx) { return dev.thrillring.web.ClientAddress.of(ctx, trustedProxies); }
}
