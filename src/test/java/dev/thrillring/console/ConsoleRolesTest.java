package dev.thrillring.console;

import dev.thrillring.app.Server;
import dev.thrillring.auth.Role;
import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Walks every console page as RouteRolesTest walks the API: signed in with each role's key, a
 * page refuses (403) each role it does not list, serves the roles it lists, and never shows
 * another tenant's page to a tenant's key. Unsafe pages are posted with the session's CSRF token.
 */
class ConsoleRolesTest {
    static TestServer app;
    static String tenant;
    static String other;
    static final Map<Role, ConsoleBrowser> browsers = new EnumMap<>(Role.class);
    static final Map<Role, String> tokens = new EnumMap<>(Role.class);

    @BeforeAll
    static void setUp() {
        app = TestServer.shared();
        tenant = app.createTenant("Console walker", "bizosaas");
        other = app.createTenant("Console walker's neighbour", "bizosaas");
        for (Role r : List.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER)) {
            ConsoleBrowser b = new ConsoleBrowser(app);
            String key = r == Role.PLATFORM_ADMIN ? TestServer.ADMIN_KEY : app.issueKey(tenant, r.wireName());
            assertThat(b.signIn(key).status()).as(r + " signs in").isEqualTo(303);
            browsers.put(r, b);
            tokens.put(r, b.csrfOf("/console/tenants/" + tenant + "/decisions"));
        }
    }

    static List<Server.Route> pages() {
        return app.server.routes().stream().filter(r -> r.path().startsWith("/console/") || r.path().equals("/console"))
                .filter(r -> !r.roles().contains(Role.PUBLIC)).toList();
    }

    static String path(String template, String t) {
        return template.replace("{tenant_id}", t).replace("{version}", "1").replace("{path}", "x.drl")
                .replaceAll("\\{[a-z_]*id}", UUID.randomUUID().toString());
    }

    static ConsoleBrowser.Page visit(Role role, Server.Route r, String t) {
        ConsoleBrowser b = browsers.get(role);
        String p = path(r.path(), t);
        return r.method().equals("GET") ? b.get(p) : b.post(p, Map.of("_csrf", tokens.get(role)));
    }

    @Test
    void shouldRefuseEveryRoleAPageDoesNotListAndServeThoseItLists() {
        List<Server.Route> pages = pages();
        assertThat(pages).hasSizeGreaterThan(20);
        // The walk finds pages by their registration: the newest ones must be among them.
        assertThat(pages.stream().map(r -> r.method() + " " + r.path().replace("/console/tenants/{tenant_id}", ""))).contains(
                "GET /achievements", "GET /webhooks/new", "POST /webhooks", "GET /webhooks/{webhook_id}/edit", "POST /webhooks/{webhook_id}/edit",
                "POST /webhooks/{webhook_id}/status", "POST /webhooks/{webhook_id}/test", "GET /webhooks/{webhook_id}/rotate",
                "POST /webhooks/{webhook_id}/rotate", "GET /webhooks/{webhook_id}/delete", "POST /webhooks/{webhook_id}/delete");
        List<String> wrong = new ArrayList<>();
        int refused = 0;
        for (Server.Route r : pages) {
            if (r.path().endsWith("/sign-out")) continue; // would end the walker's session; ConsoleSignInTest covers it
            for (Role role : browsers.keySet()) {
                ConsoleBrowser.Page page = visit(role, r, tenant);
                if (!r.roles().contains(role)) {
                    refused++;
                    if (page.status() != 403) wrong.add(role + " " + r.method() + " " + r.path() + " -> " + page.status() + " (expected 403)");
                } else if (page.status() == 401 || page.status() == 403 || page.status() >= 500) {
                    wrong.add(role + " " + r.method() + " " + r.path() + " -> " + page.status());
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(refused).isGreaterThan(15);
    }

    @Test
    void shouldNeverShowAnotherTenantsPageToATenantsKey() {
        List<String> leaks = new ArrayList<>();
        int checked = 0;
        for (Server.Route r : pages()) {
            if (!r.path().contains("{tenant_id}")) continue;
            for (Role role : List.of(Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER)) {
                if (!r.roles().contains(role)) continue;
                ConsoleBrowser.Page page = visit(role, r, other);
                checked++;
                if (page.status() != 403) leaks.add(role + " " + r.method() + " " + r.path() + " -> " + page.status());
            }
        }
        assertThat(leaks).isEmpty();
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    void shouldSendAVisitorWithoutASessionToSignIn() {
        ConsoleBrowser anonymous = new ConsoleBrowser(app);
        for (Server.Route r : pages()) {
            if (!r.method().equals("GET")) continue;
            ConsoleBrowser.Page page = anonymous.get(path(r.path(), tenant));
            assertThat(page.status()).as(r.path()).isEqualTo(303);
            assertThat(page.location()).as(r.path()).startsWith("/console/sign-in?next=");
        }
    }
}
