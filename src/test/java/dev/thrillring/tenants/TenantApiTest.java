package dev.thrillring.tenants;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;

class TenantApiTest {
    static TestServer app;

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    @Test
    void shouldCreateATenantOnAKnownPlatform() {
        Response r = app.post("/api/v1/tenants", TestServer.ADMIN_KEY,
                "{\"name\":\"Acme Ads\",\"platform\":\"bizoholic\",\"industry\":\"marketing\"}");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().get("tenant_id").asText()).hasSize(36);
        assertThat(r.json().get("platform").asText()).isEqualTo("bizoholic");
    }

    @Test
    void shouldRefuseAnUnknownPlatformNamingTheField() {
        Response r = app.post("/api/v1/tenants", TestServer.ADMIN_KEY, "{\"name\":\"X\",\"platform\":\"nowhere\"}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("platform");
    }

    @Test
    void shouldAnswerAnOperatorNamingAnUnknownTenantWith404Problems() {
        String nobody = java.util.UUID.randomUUID().toString();
        java.util.List<Response> answers = java.util.List.of(
                app.get("/api/v1/referrals/" + nobody + "/rewards", TestServer.ADMIN_KEY),
                app.post("/api/v1/referrals/" + nobody + "/conversions/" + java.util.UUID.randomUUID() + "/refund", TestServer.ADMIN_KEY, "{}"),
                app.post("/api/v1/referrals/" + nobody + "/conversions/" + java.util.UUID.randomUUID() + "/review", TestServer.ADMIN_KEY,
                        "{\"decision\":\"approve\"}"),
                app.post("/api/v1/tenants/" + nobody + "/leaderboards", TestServer.ADMIN_KEY,
                        "{\"key\":\"weekly-x\",\"name\":\"X\",\"source\":\"points\"}"));
        for (Response r : answers) {
            assertThat(r.status()).as(r.body()).isEqualTo(404);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
            assertThat(r.json().get("detail").asText()).contains(nobody);
        }
    }

    @Test
    void shouldRefuseABlankName() {
        Response r = app.post("/api/v1/tenants", TestServer.ADMIN_KEY, "{\"name\":\"  \",\"platform\":\"bizoholic\"}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("name");
    }

    @Test
    void shouldRefuseTenantCreationByATenantKey() {
        String tenant = app.createTenant("Limited", "bizoholic");
        String key = app.issueKey(tenant, "tenant_admin");
        Response r = app.post("/api/v1/tenants", key, "{\"name\":\"Mine\",\"platform\":\"bizoholic\"}");
        assertThat(r.status()).isEqualTo(403);
    }

    @Test
    void shouldIssueAKeyOnceAndStoreOnlyItsHash() throws Exception {
        String tenant = app.createTenant("Keyed", "coreldove");
        Response r = app.post("/api/v1/tenants/" + tenant + "/api-keys", TestServer.ADMIN_KEY, "{\"role\":\"analyst\"}");
        assertThat(r.status()).isEqualTo(201);
        String key = r.json().get("api_key").asText();
        assertThat(key).startsWith(r.json().get("prefix").asText());

        try (Connection c = app.ownerConnection();
             PreparedStatement ps = c.prepareStatement("SELECT key_hash FROM api_keys WHERE tenant_id = ?::uuid")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getString(1)).hasSize(64).doesNotContain(key);
            }
        }
        assertThat(app.get("/api/v1/tenants/" + tenant, key).status()).isEqualTo(200);
    }

    @Test
    void shouldLetATenantAdminIssueKeysOnlyForItsOwnTenant() {
        String mine = app.createTenant("Mine", "bizosaas");
        String theirs = app.createTenant("Theirs", "bizosaas");
        String admin = app.issueKey(mine, "tenant_admin");
        assertThat(app.post("/api/v1/tenants/" + mine + "/api-keys", admin, "{\"role\":\"ingest\"}").status()).isEqualTo(201);
        assertThat(app.post("/api/v1/tenants/" + theirs + "/api-keys", admin, "{\"role\":\"ingest\"}").status()).isEqualTo(403);
        assertThat(app.get("/api/v1/tenants/" + theirs, admin).status()).isEqualTo(403);
    }

    @Test
    void shouldRefuseAnUnknownRole() {
        String tenant = app.createTenant("Roles", "bizosaas");
        Response r = app.post("/api/v1/tenants/" + tenant + "/api-keys", TestServer.ADMIN_KEY, "{\"role\":\"platform_admin\"}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("role");
    }

    @Test
    void shouldRefuseAMalformedTenantIdInThePath() {
        Response r = app.get("/api/v1/tenants/not-a-uuid", TestServer.ADMIN_KEY);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("tenant_id");
    }
}
