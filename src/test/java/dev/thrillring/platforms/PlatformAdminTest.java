package dev.thrillring.platforms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.app.Server;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A platform admin administers its own platform's tenants and nothing else; the operator's key
 * issues platform admin keys, which can be listed and revoked, and every step is audited.
 */
class PlatformAdminTest {
    static TestServer app;
    static String bizosaasAdmin;
    static String coreldoveAdmin;
    static String coreldoveTenant;

    @BeforeAll
    static void setUp() {
        app = TestServer.shared();
        bizosaasAdmin = issue("bizosaas");
        coreldoveAdmin = issue("coreldove");
        coreldoveTenant = app.createTenant("Dove shop", "coreldove");
    }

    static String issue(String platform) {
        Response r = app.post("/api/v1/platforms/" + platform + "/api-keys", TestServer.ADMIN_KEY, "");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("api_key").asText()).startsWith("trp_").startsWith(r.json().get("prefix").asText());
        assertThat(r.json().get("platform").asText()).isEqualTo(platform);
        return r.json().get("api_key").asText();
    }

    static String create(String key, String platform) {
        return app.post("/api/v1/tenants", key, "{\"name\":\"Made by platform admin\",\"platform\":\"" + platform + "\"}").json()
                .path("tenant_id").asText(null);
    }

    @Test
    void shouldLetAPlatformAdminRunItsOwnTenantsAndRefuseEveryOtherPlatform() {
        Response made = app.post("/api/v1/tenants", bizosaasAdmin, "{\"name\":\"Saas shop\",\"platform\":\"bizosaas\"}");
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        String own = made.json().get("tenant_id").asText();
        assertThat(app.post("/api/v1/tenants", bizosaasAdmin, "{\"name\":\"Not mine\",\"platform\":\"coreldove\"}").status()).isEqualTo(403);

        assertThat(app.get("/api/v1/tenants/" + own, bizosaasAdmin).status()).isEqualTo(200);
        assertThat(app.post("/api/v1/tenants/" + own + "/api-keys", bizosaasAdmin, "{\"role\":\"ingest\"}").status()).isEqualTo(201);
        assertThat(app.post("/api/v1/facts", bizosaasAdmin, "{\"tenant_id\":\"" + own + "\",\"id\":\"pa-1\",\"type\":\"page_view\","
                + "\"user_id\":\"u1\",\"occurred_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{}}").status()).isIn(200, 201);
        assertThat(app.get("/api/v1/gamification/leaderboards?platform=bizosaas", bizosaasAdmin).status()).isEqualTo(200);

        // The other platform's tenant, by path, by body and by query: refused, never served.
        assertThat(app.get("/api/v1/tenants/" + coreldoveTenant, bizosaasAdmin).status()).isEqualTo(403);
        assertThat(app.post("/api/v1/facts", bizosaasAdmin, "{\"tenant_id\":\"" + coreldoveTenant + "\",\"id\":\"pa-2\",\"type\":\"page_view\","
                + "\"user_id\":\"u1\",\"occurred_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{}}").status()).isEqualTo(403);
        assertThat(app.get("/api/v1/gamification/leaderboards?platform=coreldove", bizosaasAdmin).status()).isEqualTo(403);
        assertThat(app.get("/api/v1/gamification/achievements?platform=coreldove", bizosaasAdmin).status()).isEqualTo(403);
        assertThat(app.get("/api/v1/platforms/coreldove/tenants", bizosaasAdmin).status()).isEqualTo(403);
        assertThat(app.post("/api/v1/platforms/coreldove/api-keys", bizosaasAdmin, "").status()).isEqualTo(403);

        JsonNode listed = app.get("/api/v1/platforms/bizosaas/tenants", bizosaasAdmin).json().get("tenants");
        assertThat(listed.findValuesAsText("tenant_id")).contains(own).doesNotContain(coreldoveTenant);
        assertThat(app.get("/api/v1/platforms/coreldove/tenants", TestServer.ADMIN_KEY).json().get("tenants").findValuesAsText("tenant_id"))
                .as("the operator sees every platform").contains(coreldoveTenant);
        assertThat(app.get("/api/v1/platforms/nowhere/tenants", TestServer.ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    void shouldRefuseEveryTenantAndPlatformRouteOfAnotherPlatform() {
        List<String> leaks = new ArrayList<>();
        int checked = 0;
        for (Server.Route r : app.server.routes()) {
            if (!r.path().contains("{tenant_id}") && !r.path().contains("{platform}")) continue;
            if (r.roles().contains(dev.thrillring.auth.Role.PUBLIC)) continue; // for anyone by design (public boards)
            String path = r.path().replace("{tenant_id}", coreldoveTenant).replace("{platform}", "coreldove").replace("{version}", "1")
                    .replaceAll("\\{[a-z_]*id}", UUID.randomUUID().toString()).replaceAll("\\{[a-z_]+}", "placeholder");
            Response res = app.send(r.method(), path, bizosaasAdmin, "application/json", r.method().equals("GET") ? null : "{}");
            checked++;
            if (res.status() != 403) leaks.add(r.method() + " " + r.path() + " -> " + res.status());
        }
        assertThat(leaks).isEmpty();
        assertThat(checked).isGreaterThan(30);
    }

    @Test
    void shouldListRevokeAndAuditPlatformKeys() throws Exception {
        String key = issue("bizosaas");
        String tenant = create(key, "bizosaas");
        assertThat(tenant).isNotNull();
        JsonNode keys = app.get("/api/v1/platforms/bizosaas/api-keys", bizosaasAdmin).json().get("api_keys");
        JsonNode row = StreamSupport.stream(keys.spliterator(), false)
                .filter(k -> key.startsWith(k.get("prefix").asText())).findFirst().orElseThrow();
        assertThat(row.get("last_used_at").isNull()).isFalse();
        assertThat(row.get("created_by").asText()).isEqualTo("platform_admin:admin");
        assertThat(keys.toString()).doesNotContain(key).doesNotContain("key_hash");

        String keyId = row.get("key_id").asText();
        assertThat(app.send("DELETE", "/api/v1/platforms/bizosaas/api-keys/" + keyId, coreldoveAdmin, null, null).status())
                .as("another platform's admin cannot revoke it").isEqualTo(403);
        assertThat(app.send("DELETE", "/api/v1/platforms/coreldove/api-keys/" + keyId, coreldoveAdmin, null, null).status())
                .as("nor reach it through its own platform").isEqualTo(404);
        assertThat(app.get("/api/v1/tenants/" + tenant, key).status()).as("cached for 5 s from here").isEqualTo(200);
        assertThat(app.send("DELETE", "/api/v1/platforms/bizosaas/api-keys/" + keyId, bizosaasAdmin, null, null).status()).isEqualTo(204);
        long t0 = System.nanoTime();
        int status = 200;
        for (int i = 0; i < 50 && status != 401; i++) {
            status = app.get("/api/v1/tenants/" + tenant, key).status();
            if (status != 401) Thread.sleep(20);
        }
        assertThat(status).as("a revoked platform key stops working at once, not when its cached lookup expires").isEqualTo(401);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2_500);

        JsonNode audit = app.get("/api/v1/platforms/bizosaas/audit", bizosaasAdmin).json().get("entries");
        assertThat(audit.findValuesAsText("action")).contains("platform_key.issued", "platform_key.revoked", "tenant.created");
        assertThat(audit.findValuesAsText("target")).contains("platform_key/" + keyId, "tenant/" + tenant);
        assertThat(app.get("/api/v1/platforms/coreldove/audit", coreldoveAdmin).json().get("entries").findValuesAsText("target"))
                .doesNotContain("tenant/" + tenant);
        assertThat(app.get("/api/v1/tenants/" + tenant + "/audit", bizosaasAdmin).json().get("entries").findValuesAsText("action"))
                .contains("tenant.created");
    }
}
