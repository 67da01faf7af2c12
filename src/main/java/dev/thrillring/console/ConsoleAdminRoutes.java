package dev.thrillring.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.auth.Principal;
import dev.thrillring.problems.Problem;
import dev.thrillring.tenants.IssuedKey;
import dev.thrillring.tenants.Tenant;
import dev.thrillring.web.Json;
import dev.thrillring.web.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The admins' pages for a tenant's API keys: issue (the secret shown once), revoke (confirmed
 * first), created and last used. Each calls the service the API route calls, with the signed-in
 * caller. Webhooks: {@link ConsoleWebhookRoutes}.
 */
final class ConsoleAdminRoutes {
    private static final String T = ConsolePaths.ROOT + "/tenants/{tenant_id}";
    static final List<String> KEY_ROLES = List.of("tenant_admin", "analyst", "ingest", "viewer");
    private final ConsoleRoutes pages;
    private final ConsoleService service;

    ConsoleAdminRoutes(ConsoleRoutes pages, ConsoleService service) {
        this.pages = pages;
        this.service = service;
    }

    void register(RoutesConfig routes) {
        routes.get(T + "/keys", this::keys, ConsoleRoutes.ADMINS);
        routes.post(T + "/keys", this::issue, ConsoleRoutes.ADMINS);
        routes.get(T + "/keys/{key_id}/revoke", this::confirmRevoke, ConsoleRoutes.ADMINS);
        routes.post(T + "/keys/{key_id}/revoke", this::revoke, ConsoleRoutes.ADMINS);
    }

    // --- API keys ----------------------------------------------------------------------------

    private void keys(Context ctx) { renderKeys(ctx, pages.tenant(ctx), null); }

    private void renderKeys(Context ctx, Tenant t, ConsoleViews.IssuedKeyView issued) {
        ctx.render("console/keys.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "API keys", t, "keys"),
                "keys", keyRows(Requests.principal(ctx), t.tenantId()), "roles", KEY_ROLES, "issued", issued));
    }

    private List<ConsoleViews.KeyRow> keyRows(Principal caller, UUID tenant) {
        List<ConsoleViews.KeyRow> rows = new ArrayList<>();
        for (JsonNode k : Json.mapper().valueToTree(service.s.tenants().keys(caller, tenant))) {
            rows.add(new ConsoleViews.KeyRow(k.path("key_id").asText(), k.path("prefix").asText(), k.path("role").asText(),
                    time(k.path("created_at")), time(k.path("last_used_at")), time(k.path("revoked_at"))));
        }
        // Active keys first, then the newest.
        rows.sort((a, b) -> a.revokedAt().isEmpty() != b.revokedAt().isEmpty() ? (a.revokedAt().isEmpty() ? -1 : 1) : b.createdAt().compareTo(a.createdAt()));
        return rows;
    }

    private void issue(Context ctx) {
        Tenant t = pages.tenant(ctx);
        String role = ctx.formParam("role");
        if (role == null || !KEY_ROLES.contains(role)) throw new Problem.Invalid("role", "must be one of " + String.join(", ", KEY_ROLES));
        IssuedKey k = service.s.tenants().issueKey(Requests.principal(ctx), t.tenantId(), role);
        ctx.status(HttpStatus.CREATED);
        renderKeys(ctx, t, new ConsoleViews.IssuedKeyView(k.role(), k.prefix(), k.apiKey()));
    }

    private void confirmRevoke(Context ctx) {
        Tenant t = pages.tenant(ctx);
        UUID key = Requests.uuidPath(ctx, "key_id");
        ConsoleViews.KeyRow row = keyRows(Requests.principal(ctx), t.tenantId()).stream()
                .filter(k -> k.keyId().equals(key.toString()) && k.revokedAt().isEmpty()).findFirst()
                .orElseThrow(() -> new Problem.NotFound("no active API key " + key));
        ctx.render("console/confirm.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "Revoke a key?", t, "keys"), "confirm",
                new ConsoleViews.Confirm("Revoke the " + row.role().replace('_', ' ') + " key " + row.prefix() + "…?",
                        "Every request with it is refused from now on, on every node within seconds, and console sessions signed in with it end."
                                + " This cannot be undone: issue a new key instead.",
                        ctx.path(), "Revoke " + row.prefix() + "…", true, t.tenantId() == null ? ConsolePaths.ROOT : pagesPath(t, "/keys"))));
    }

    private void revoke(Context ctx) {
        Tenant t = pages.tenant(ctx);
        service.s.tenants().revokeKey(Requests.principal(ctx), t.tenantId(), Requests.uuidPath(ctx, "key_id"));
        ctx.redirect(pagesPath(t, "/keys"), HttpStatus.SEE_OTHER);
    }

    private static String pagesPath(Tenant t, String rest) { return ConsolePaths.ROOT + "/tenants/" + t.tenantId() + rest; }

    /** An API time (ISO-8601 text) as the console shows times; empty when absent. */
    static String time(JsonNode n) {
        if (n == null || !n.isTextual()) return "";
        String s = n.asText();
        try {
            return ConsoleService.when(OffsetDateTime.parse(s));
        } catch (java.time.format.DateTimeParseException e) {
            return ConsoleService.when(Instant.parse(s).atOffset(ZoneOffset.UTC));
        }
    }
}
