package dev.thrillring.app;

import dev.thrillring.auth.Role;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Walks the server's own route table: every route declares its roles, the public ones are exactly
 * the intended four, and every other route refuses a missing key and each role it does not list.
 */
class RouteRolesTest {
    static TestServer app;
    static String tenant;
    static final Map<Role, String> keys = new EnumMap<>(Role.class);

    @BeforeAll
    static void setUp() {
        app = TestServer.shared();
        tenant = app.createTenant("Role walker", "bizosaas");
        keys.put(Role.PLATFORM_ADMIN, TestServer.ADMIN_KEY);
        for (Role r : List.of(Role.TENANT_ADMIN, Role.ANALYST, Role.INGEST, Role.VIEWER)) keys.put(r, app.issueKey(tenant, r.wireName()));
    }

    /** A concrete path for a route template: the walker's own tenant, placeholders elsewhere. */
    static String path(String template) {
        return template.replace("{tenant_id}", tenant).replaceAll("\\{(version)}", "1")
                .replaceAll("\\{[a-z_]*id}", UUID.randomUUID().toString()).replaceAll("\\{[a-z_]+}", "placeholder");
    }

    @Test
    void shouldDeclareRolesOnEveryRouteAndKeepThePublicOnesExplicit() {
        List<Server.Route> routes = app.server.routes();
        assertThat(routes).hasSizeGreaterThan(30);
        assertThat(routes).allSatisfy(r -> assertThat(r.roles()).as(r.method() + " " + r.path()).isNotEmpty());
        assertThat(routes.stream().filter(r -> r.roles().contains(Role.PUBLIC)).map(Server.Route::path))
                .containsExactlyInAnyOrder("/health", "/ready", "/metrics", "/r/{code}", "/api/v1/public/leaderboards/{platform}/{board_key}",
                        "/s/{platform}/{slug}", "/s/{platform}/{slug}/og.png", "/s/{platform}/{slug}/share/{network}",
                        "/sitemap.xml", "/sitemaps/{file}", "/robots.txt",
                        "/badges/jwks.json", "/badges/keys/{key_id}", "/badges/issuers/{issuer_id}",
                        "/badges/issuers/{issuer_id}/achievements/{achievement_id}",
                        "/badges/issuers/{issuer_id}/achievements/{achievement_id}/image.png",
                        "/badges/credentials/{credential_id}", "/badges/credentials/{credential_id}/jwt",
                        "/badges/credentials/{credential_id}/badge.png",
                        "/openapi.json", "/openapi.yaml", "/docs", "/docs/{file}",
                        "/", "/console/sign-in", "/console/sign-in", "/console/assets/htmx.min.js", "/console/assets/console.css", "/console/assets/boards.js");
    }

    @Test
    void shouldNeverServeAnotherTenantsDataToAnAllowedRole() {
        String other = app.createTenant("Someone else", "bizosaas");
        List<String> leaks = new ArrayList<>();
        int checked = 0;
        for (Server.Route r : app.server.routes()) {
            if (!r.path().contains("{tenant_id}")) continue;
            String p = path(r.path()).replace(tenant, other);
            for (var k : keys.entrySet()) {
                if (k.getKey() == Role.PLATFORM_ADMIN || !r.roles().contains(k.getKey())) continue;
                Response res = app.send(r.method(), p, k.getValue(), "application/json", r.method().equals("GET") ? null : "{}");
                checked++;
                if (res.status() != 403) leaks.add(k.getKey() + ": " + r.method() + " " + r.path() + " -> " + res.status());
            }
        }
        assertThat(leaks).isEmpty();
        assertThat(checked).isGreaterThan(40);
    }

    /** Well-formed bodies for the routes that take the tenant in the body rather than the path. */
    static String bodyFor(String route, String tenantId) {
        String t = "\"tenant_id\":\"" + tenantId + "\"";
        return switch (route) {
            case "/api/v1/facts" -> "{" + t + ",\"id\":\"walk-1\",\"type\":\"page_view\",\"user_id\":\"u1\","
                    + "\"occurred_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{}}";
            case "/api/v1/achievements/custom", "/api/v1/gamification/achievements/custom", "/achievements/custom" ->
                    "{" + t + ",\"key\":\"walker\",\"name\":\"Walker\",\"metric\":\"leads\",\"threshold\":1}";
            case "/api/v1/gamification/referral/generate-code", "/api/v1/gamification/referrals/generate", "/referral/generate-code" ->
                    "{" + t + ",\"referrer_user_id\":\"u1\"}";
            case "/api/v1/gamification/referral/track-conversion", "/referral/track-conversion" -> "{" + t + ",\"referral_code\":\"ABCD2345\",\"referee_user_id\":\"u2\","
                    + "\"conversion_type\":\"purchase\",\"conversion_value\":10}";
            case "/api/v1/gamification/portfolio/generate", "/portfolio/generate" -> "{" + t + "}";
            case "/api/v1/badges/keys/rotate" -> "{}";
            default -> null;
        };
    }

    @Test
    void shouldRefuseAnotherTenantNamedInTheBody() throws Exception {
        String other = app.createTenant("Someone else's body", "bizosaas");
        List<String> leaks = new ArrayList<>();
        int checked = 0;
        long rowsBefore;
        try (var c = app.ownerConnection(); var rs = c.createStatement().executeQuery(
                "SELECT (SELECT count(*) FROM facts WHERE tenant_id = '" + other + "') + (SELECT count(*) FROM referral_codes WHERE tenant_id = '"
                        + other + "') + (SELECT count(*) FROM achievements WHERE tenant_id = '" + other + "')")) {
            rs.next();
            rowsBefore = rs.getLong(1);
        }
        for (Server.Route r : app.server.routes()) {
            if (!r.method().equals("POST") || r.path().contains("{") || r.path().equals("/api/v1/tenants")) continue;
            if (r.path().startsWith("/console/")) continue; // pages take no tenant in a body; ConsoleRolesTest walks them
            String body = bodyFor(r.path(), other);
            assertThat(body).as("a body for " + r.path() + " (a new route that takes the tenant in its body belongs here)").isNotNull();
            for (var k : keys.entrySet()) {
                if (k.getKey() == Role.PLATFORM_ADMIN || !r.roles().contains(k.getKey())) continue;
                Response res = app.send("POST", r.path(), k.getValue(), "application/json", body);
                checked++;
                if (res.status() != 403) leaks.add(k.getKey() + ": POST " + r.path() + " -> " + res.status() + " " + res.body());
            }
        }
        assertThat(leaks).isEmpty();
        assertThat(checked).isGreaterThanOrEqualTo(6);
        try (var c = app.ownerConnection(); var rs = c.createStatement().executeQuery(
                "SELECT (SELECT count(*) FROM facts WHERE tenant_id = '" + other + "') + (SELECT count(*) FROM referral_codes WHERE tenant_id = '"
                        + other + "') + (SELECT count(*) FROM achievements WHERE tenant_id = '" + other + "')")) {
            rs.next();
            assertThat(rs.getLong(1)).as("nothing written for the other tenant").isEqualTo(rowsBefore);
        }
    }

    @Test
    void shouldRefuseEveryRoleARouteDoesNotList() {
        List<String> leaks = new ArrayList<>();
        int checked = 0;
        for (Server.Route r : app.server.routes()) {
            if (r.roles().contains(Role.PUBLIC)) continue;
            String p = path(r.path());
            Response anonymous = app.send(r.method(), p, null, "application/json", r.method().equals("GET") ? null : "{}");
            if (anonymous.status() != 401) leaks.add("no key: " + r.method() + " " + r.path() + " -> " + anonymous.status());
            for (var k : keys.entrySet()) {
                if (r.roles().contains(k.getKey())) continue;
                Response refused = app.send(r.method(), p, k.getValue(), "application/json", r.method().equals("GET") ? null : "{}");
                checked++;
                if (refused.status() != 403) leaks.add(k.getKey() + ": " + r.method() + " " + r.path() + " -> " + refused.status());
            }
        }
        assertThat(leaks).isEmpty();
        assertThat(checked).isGreaterThan(50);
    }
}
