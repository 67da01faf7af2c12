package dev.thrillring.tenants;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeyLifecycleTest {
    /** The lookup cache's lifetime (AuthService.CACHE_TTL): a refusal well before it is the revocation notice's doing. */
    static final long CACHE_TTL_MS = 5_000;

    @Test
    void shouldListKeysWithLastUseRevokeThemAndAuditBoth() throws Exception {
        TestServer app = TestServer.shared();
        String tenant = app.createTenant("Key owner", "coreldove");
        String admin = app.issueKey(tenant, "tenant_admin");
        String viewer = app.issueKey(tenant, "viewer");
        assertThat(app.get("/api/v1/tenants/" + tenant, viewer).status()).isEqualTo(200);

        Response list = app.get("/api/v1/tenants/" + tenant + "/api-keys", admin);
        assertThat(list.status()).isEqualTo(200);
        var viewerRow = java.util.stream.StreamSupport.stream(list.json().get("api_keys").spliterator(), false)
                .filter(k -> k.get("role").asText().equals("viewer")).findFirst().orElseThrow();
        assertThat(viewer).startsWith(viewerRow.get("prefix").asText());
        assertThat(viewerRow.get("last_used_at").isNull()).isFalse();
        assertThat(list.body()).doesNotContain(viewer).doesNotContain("key_hash");

        // Used just before: its lookup is cached for 5 s, so only the revocation notice can stop it sooner.
        assertThat(app.get("/api/v1/tenants/" + tenant, viewer).status()).isEqualTo(200);
        Response revoked = app.send("DELETE", "/api/v1/tenants/" + tenant + "/api-keys/" + viewerRow.get("key_id").asText(), admin, null, null);
        assertThat(revoked.status()).isEqualTo(204);
        long t0 = System.nanoTime();
        int status = app.get("/api/v1/tenants/" + tenant, viewer).status();
        for (int i = 0; i < 50 && status != 401; i++) {
            Thread.sleep(20);
            status = app.get("/api/v1/tenants/" + tenant, viewer).status();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("revoked key refused %d ms after the revocation returned%n", ms);
        assertThat(status).as("a revoked key stops working well before its 5 s cache expires").isEqualTo(401);
        assertThat(ms).as("refused by the notice, not by the cache expiry").isLessThan(CACHE_TTL_MS / 2);

        var audit = app.get("/api/v1/tenants/" + tenant + "/audit", admin).json().get("entries");
        assertThat(audit.findValuesAsText("action")).contains("api_key.issued", "api_key.revoked");
        assertThat(audit.get(0).get("client_address").asText()).as("no proxy header: the peer").isEqualTo("127.0.0.1");

        // The test server trusts loopback as its proxy: the address the proxy appended is recorded,
        // not the one the client wrote before it.
        assertThat(app.send("POST", "/api/v1/tenants/" + tenant + "/api-keys", admin, "application/json", "{\"role\":\"viewer\"}",
                java.util.Map.of("X-Forwarded-For", "198.51.100.66, 203.0.113.9")).status()).isEqualTo(201);
        var latest = app.get("/api/v1/tenants/" + tenant + "/audit?limit=1", admin).json().get("entries").get(0);
        assertThat(latest.get("action").asText()).isEqualTo("api_key.issued");
        assertThat(latest.get("client_address").asText()).isEqualTo("203.0.113.9");
        assertThat(app.send("DELETE", "/api/v1/tenants/" + tenant + "/api-keys/" + viewerRow.get("key_id").asText(), admin, null, null).status())
                .isEqualTo(404);
    }
}
