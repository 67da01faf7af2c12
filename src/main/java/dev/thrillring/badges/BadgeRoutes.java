package dev.thrillring.badges;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.thrillring.web.Json;
import dev.thrillring.web.Requests;
import dev.thrillring.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Claiming credentials ({@code /api/v1/badges/...}), and the public, hosted side of Open Badges:
 * issuer Profiles, Achievements and credentials as JSON-LD or HTML by content negotiation, the
 * JWKS, and baked PNGs.
 */
public final class BadgeRoutes {
    private static final String ISSUER = "/badges/issuers/{issuer_id}";
    private static final String CREDENTIAL = "/badges/credentials/{credential_id}";
    private final BadgeService service;

    private BadgeRoutes(BadgeService service) { this.service = service; }

    public static void register(RoutesConfig routes, BadgeService service) {
        BadgeRoutes r = new BadgeRoutes(service);
        routes.post("/api/v1/badges/{tenant_id}/claims", r::claim, Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.INGEST);
        routes.post("/api/v1/badges/keys/rotate", ctx -> ctx.json(service.rotate(Requests.principal(ctx))), Role.PLATFORM_ADMIN);
        routes.get("/badges/jwks.json", ctx -> ctx.contentType("application/jwk-set+json").header("Cache-Control", "public, max-age=300")
                .result(json(service.jwks())), Role.PUBLIC);
        routes.get("/badges/keys/{key_id}", ctx -> ctx.contentType("application/jwk+json").result(json(service.key(keyId(ctx)))), Role.PUBLIC);
        routes.get(ISSUER, r::issuer, Role.PUBLIC);
        routes.get(ISSUER + "/achievements/{achievement_id}", r::achievement, Role.PUBLIC);
        routes.get(ISSUER + "/achievements/{achievement_id}/image.png", ctx -> ctx.contentType("image/png").header("Cache-Control", "public, max-age=3600")
                .result(service.image(Requests.uuidPath(ctx, "issuer_id"), Requests.uuidPath(ctx, "achievement_id"))), Role.PUBLIC);
        routes.get(CREDENTIAL, r::credential, Role.PUBLIC);
        routes.get(CREDENTIAL + "/jwt", ctx -> ctx.contentType("application/vc+jwt")
                .result(service.hosted(Requests.uuidPath(ctx, "credential_id")).jwt()), Role.PUBLIC);
        routes.get(CREDENTIAL + "/badge.png", ctx -> ctx.contentType("image/png")
                .header("Content-Disposition", "attachment; filename=\"badge-" + Requests.uuidPath(ctx, "credential_id") + ".png\"")
                .result(service.baked(Requests.uuidPath(ctx, "credential_id"))), Role.PUBLIC);
    }

    private static String keyId(Context ctx) {
        String id = ctx.pathParam("key_id");
        if (!id.matches("[0-9a-f-]{36}")) throw new dev.thrillring.problems.Problem.NotFound("no key " + id);
        return id;
    }

    private void claim(Context ctx) {
        var c = Requests.body(ctx, BadgeService.Claim.class);
        var out = service.claim(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"), c);
        ctx.status(Boolean.TRUE.equals(out.get("issued")) ? HttpStatus.CREATED : HttpStatus.OK).json(out);
    }

    /** JSON-LD for clients asking for JSON; HTML for browsers. */
    private static boolean wantsJson(Context ctx) {
        String accept = ctx.header("Accept");
        return accept != null && (accept.contains("application/ld+json") || accept.contains("application/json"));
    }

    private static void answer(Context ctx, Map<String, Object> jsonLd, BadgePage page) {
        ctx.header("Vary", "Accept").header("Cache-Control", "public, max-age=60");
        if (wantsJson(ctx)) ctx.contentType("application/ld+json").result(json(jsonLd));
        else ctx.render("badge.jte", Map.of("page", page));
    }

    private void issuer(Context ctx) {
        var p = service.profile(Requests.uuidPath(ctx, "issuer_id"));
        answer(ctx, p, new BadgePage(p.get("name") + " – badge issuer", "Issuer", (String) p.get("name"),
                "An Open Badges 3.0 issuer. Its credentials are signed with the keys published at /badges/jwks.json.", null,
                (String) p.get("id"), List.of(new BadgePage.Fact("Type", "Profile")), null, null,
                List.of(new BadgePage.Link("Public keys (JWKS)", "/badges/jwks.json")), pretty(p)));
    }

    @SuppressWarnings("unchecked")
    private void achievement(Context ctx) {
        var a = service.achievement(Requests.uuidPath(ctx, "issuer_id"), Requests.uuidPath(ctx, "achievement_id"));
        String image = (String) ((Map<String, Object>) a.get("image")).get("id");
        answer(ctx, a, new BadgePage(a.get("name") + " – achievement", "Achievement", (String) a.get("name"), (String) a.get("description"),
                image, (String) a.get("id"),
                List.of(new BadgePage.Fact("Criteria", (String) ((Map<String, Object>) a.get("criteria")).get("narrative"))),
                null, null, List.of(new BadgePage.Link("Issuer", ctx.path().replaceFirst("/achievements/.*", ""))), pretty(a)));
    }

    @SuppressWarnings("unchecked")
    private void credential(Context ctx) {
        var h = service.hosted(Requests.uuidPath(ctx, "credential_id"));
        Map<String, Object> subject = (Map<String, Object>) h.credential().get("credentialSubject");
        Map<String, Object> ach = (Map<String, Object>) subject.get("achievement");
        Map<String, Object> issuer = (Map<String, Object>) h.credential().get("issuer");
        List<BadgePage.Fact> facts = new ArrayList<>(List.of(new BadgePage.Fact("Issuer", String.valueOf(issuer.get("name"))),
                new BadgePage.Fact("Valid from", String.valueOf(h.credential().get("validFrom"))),
                new BadgePage.Fact("Criteria", String.valueOf(((Map<String, Object>) ach.get("criteria")).get("narrative"))),
                new BadgePage.Fact("Recipient", subject.containsKey("id") ? String.valueOf(subject.get("id")) : "a hashed e-mail address"),
                new BadgePage.Fact("Key", String.valueOf(h.verification().kid()))));
        answer(ctx, h.credential(), new BadgePage(ach.get("name") + " – verified credential", "OpenBadgeCredential", (String) ach.get("name"),
                (String) ach.get("description"), (String) ((Map<String, Object>) ach.get("image")).get("id"), ctx.fullUrl(), facts,
                h.verification().valid(), h.verification().reason(),
                List.of(new BadgePage.Link("Download the baked badge (PNG)", ctx.path() + "/badge.png"),
                        new BadgePage.Link("Credential as VC-JWT", ctx.path() + "/jwt"),
                        new BadgePage.Link("Issuer", String.valueOf(issuer.get("id"))),
                        new BadgePage.Link("Public keys (JWKS)", "/badges/jwks.json")), pretty(h.credential())));
    }

    private static String json(Object o) {
        try {
            return Json.mapper().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pretty(Object o) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
