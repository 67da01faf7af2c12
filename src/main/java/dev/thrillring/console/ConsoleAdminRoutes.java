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
import java.util.Set;
import java.util.UUID;

/**
 * The admins' pages for a tenant's API keys (issue, shown once; revoke, confirmed first; created
 * and last used) and its webhook endpoints with their deliveries (replay one). Each calls the
 * service the API route calls, with the signed-in caller.
 */
final class ConsoleAdminRoutes {
    private static final String T = ConsolePaths.ROOT + "/tenants/{tenant_id}";
    static final List<String> KEY_ROLES = List.of("tenant_admin", "analyst", "ingest", "viewer");
    private static final Set<String> MESSAGE_STATUSES = Set.of("pending", "delivered", "dead");
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
        routes.get(T + "/webhooks", this::webhooks, ConsoleRoutes.ADMINS);
        routes.get(T + "/webhooks/{webhook_id}", this::deliveries, ConsoleRoutes.ADMINS);
        routes.post(T + "/webhooks/{webhook_id}/messages/{message_id}/replay", this::replay, ConsoleRoutes.ADMINS);
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

    // --- webhooks ----------------------------------------------------------------------------

    private void webhooks(Context ctx) {
        Tenant t = pages.tenant(ctx);
        List<ConsoleViews.EndpointRow> rows = new ArrayList<>();
        for (JsonNode e : Json.mapper().valueToTree(service.s.webhooks().endpointsOf(Requests.principal(ctx), t.tenantId()))) {
            rows.add(endpoint(e));
        }
        ctx.render("console/webhooks.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "Webhooks", t, "webhooks"), "endpoints", rows));
    }

    private static ConsoleViews.EndpointRow endpoint(JsonNode e) {
        List<String> types = new ArrayList<>();
        e.path("event_types").forEach(x -> types.add(x.asText()));
        return new ConsoleViews.EndpointRow(e.path("id").asText(), e.path("url").asText(), e.path("description").asText(""), types,
                e.path("status").asText(), e.path("disabled_reason").asText(""), time(e.path("failing_since")), time(e.path("created_at")));
    }

    private void deliveries(Context ctx) {
        Tenant t = pages.tenant(ctx);
        Principal p = Requests.principal(ctx);
        UUID id = Requests.uuidPath(ctx, "webhook_id");
        String status = ctx.queryParam("status");
        if (status != null && status.isBlank()) status = null;
        if (status != null && !MESSAGE_STATUSES.contains(status)) throw new Problem.Invalid("status", "must be pending, delivered or dead");
        ConsoleViews.EndpointRow endpoint = null;
        for (JsonNode e : Json.mapper().valueToTree(service.s.webhooks().endpointsOf(p, t.tenantId()))) {
            if (e.path("id").asText().equals(id.toString())) endpoint = endpoint(e);
        }
        if (endpoint == null) throw new Problem.NotFound("no webhook endpoint " + id);
        List<ConsoleViews.MessageRow> rows = new ArrayList<>();
        for (JsonNode m : Json.mapper().valueToTree(service.s.webhooks().messagesOf(p, t.tenantId(), id, status, 50))) {
            rows.add(new ConsoleViews.MessageRow(m.path("id").asText(), m.path("type").asText(), m.path("status").asText(), m.path("attempts").asInt(),
                    m.path("last_status").isNumber() ? m.path("last_status").asText() : "", m.path("last_error").asText(""),
                    time(m.path("created_at")), time(m.path("delivered_at")), time(m.path("next_attempt_at"))));
        }
        String replayed = ctx.queryParam("replayed");
        ctx.render("console/deliveries.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "Deliveries", t, "webhooks"), "endpoint", endpoint,
                "messages", rows, "status", status == null ? "" : status,
                "notice", replayed != null && rows.stream().anyMatch(r -> r.id().equals(replayed)) ? "Message " + replayed + " is queued to be sent again." : null));
    }

    private void replay(Context ctx) {
        Tenant t = pages.tenant(ctx);
        UUID endpoint = Requests.uuidPath(ctx, "webhook_id");
        UUID message = Requests.uuidPath(ctx, "message_id");
        service.s.webhooks().replayOf(Requests.principal(ctx), t.tenantId(), endpoint, message);
        ctx.redirect(pagesPath(t, "/webhooks/" + endpoint + "?replayed=" + message), HttpStatus.SEE_OTHER);
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
