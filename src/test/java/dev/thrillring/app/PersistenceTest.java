package dev.thrillring.app;

import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PersistenceTest {

    @Test
    void shouldKeepTenantsFactsAndDecisionsAcrossARestart() {
        Path dataDir = TestServer.tempDir();
        String tenant;
        String key;
        String decidedAt;
        try (TestServer first = TestServer.start(dataDir)) {
            tenant = first.createTenant("Survivor", "bizoholic");
            key = first.issueKey(tenant, "tenant_admin");
            var r = first.post("/api/v1/facts", key, "{\"id\":\"kept\",\"tenant_id\":\"" + tenant + "\",\"type\":\"campaign.launched\"}");
            assertThat(r.status()).isEqualTo(200);
            decidedAt = r.json().get("decided_at").asText();
        }
        try (TestServer second = TestServer.start(dataDir)) {
            var dsl = second.server.database().dsl();
            assertThat(dsl.fetchValue("SHOW fsync")).isEqualTo("on");
            assertThat(dsl.fetchValue("SHOW synchronous_commit")).isEqualTo("on");
            assertThat(second.get("/api/v1/tenants/" + tenant, key).json().get("name").asText()).isEqualTo("Survivor");
            var d = second.get("/api/v1/tenants/" + tenant + "/decisions/kept", key);
            assertThat(d.status()).isEqualTo(200);
            assertThat(d.json().get("decided_at").asText()).isEqualTo(decidedAt);
            assertThat(d.json().get("outcomes").toString()).contains("\"amount\":50");
        }
    }
}
