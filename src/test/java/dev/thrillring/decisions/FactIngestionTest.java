package dev.thrillring.decisions;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class FactIngestionTest {
    static TestServer app;
    static String tenant;
    static String ingestKey;

    @BeforeAll
    static void setUp() {
        app = TestServer.shared();
        tenant = app.createTenant("Dove Store", "coreldove");
        ingestKey = app.issueKey(tenant, "ingest");
    }

    static String fact(String id, String type, String attributes) {
        return "{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"u-42\",\"type\":\"" + type
                + "\",\"occurred_at\":\"2026-11-20T10:00:00Z\",\"attributes\":" + attributes + "}";
    }

    static long storedFacts(String factId) throws Exception {
        try (Connection c = app.ownerConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM facts WHERE tenant_id = ?::uuid AND fact_id LIKE ?")) {
            ps.setString(1, tenant);
            ps.setString(2, factId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void shouldReturnTheDecisionWithFiredRulesAndOutcomes() {
        Response r = app.post("/api/v1/facts", ingestKey, fact("order-1", "order.shipped", "{\"value\": 80}"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("decided");
        assertThat(r.json().get("fact_id").asText()).isEqualTo("order-1");
        assertThat(r.json().get("rule_set_version").asText()).startsWith("coreldove@base-");
        assertThat(r.json().get("fired_rules").toString()).contains("Shipped orders count", "Order value adds to revenue");
        assertThat(r.json().get("outcomes").toString()).contains("\"kind\":\"points\"", "\"amount\":10", "\"name\":\"revenue\"");

        Response read = app.get("/api/v1/tenants/" + tenant + "/decisions/order-1", ingestKey);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("outcomes")).isEqualTo(r.json().get("outcomes"));
        assertThat(read.json().get("fired_rules")).isEqualTo(r.json().get("fired_rules"));
    }

    @Test
    void shouldReplayARetriedFactWithoutChangingAnything() throws Exception {
        String body = fact("order-retry", "order.shipped", "{\"value\": 5}");
        Response first = app.post("/api/v1/facts", ingestKey, body);
        Response again = app.post("/api/v1/facts", ingestKey, body);

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("status").asText()).isEqualTo("replayed");
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.json().get("decided_at")).isEqualTo(first.json().get("decided_at"));
        assertThat(again.json().get("outcomes")).isEqualTo(first.json().get("outcomes"));
        assertThat(storedFacts("order-retry")).isEqualTo(1);
    }

    @Test
    void shouldRefuseAReusedIdWithADifferentPayload() throws Exception {
        app.post("/api/v1/facts", ingestKey, fact("order-reuse", "order.shipped", "{\"value\": 5}"));
        Response r = app.post("/api/v1/facts", ingestKey, fact("order-reuse", "order.shipped", "{\"value\": 6}"));

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("field").asText()).isEqualTo("id");
        Response stored = app.get("/api/v1/tenants/" + tenant + "/decisions/order-reuse", ingestKey);
        assertThat(stored.json().get("outcomes").toString()).contains("\"delta\":5.0");
    }

    @Test
    void shouldDecideExactlyOnceWhenIdenticalRequestsRace() throws Exception {
        String body = fact("order-race", "order.shipped", "{\"value\": 7}");
        int n = 16;
        List<Future<Response>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            for (int i = 0; i < n; i++) futures.add(pool.submit((Callable<Response>) () -> app.post("/api/v1/facts", ingestKey, body)));
        }
        List<String> statuses = new ArrayList<>();
        for (Future<Response> f : futures) {
            assertThat(f.get().status()).isEqualTo(200);
            statuses.add(f.get().json().get("status").asText());
        }
        assertThat(statuses).filteredOn("decided"::equals).hasSize(1);
        assertThat(statuses).filteredOn("replayed"::equals).hasSize(n - 1);
        assertThat(storedFacts("order-race")).isEqualTo(1);
    }

    @Test
    void shouldDecideEachFactOfABatch() {
        String batch = "{\"facts\":[" + fact("batch-1", "order.shipped", "{\"value\": 1}") + ","
                + fact("batch-2", "review.received", "{}") + "," + fact("batch-3", "nothing.matches", "{}") + "]}";
        Response r = app.post("/api/v1/facts", ingestKey, batch);

        assertThat(r.status()).isEqualTo(200);
        var results = r.json().get("results");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("status").asText()).isEqualTo("decided");
        assertThat(results.get(1).get("decision").get("outcomes").toString()).contains("\"amount\":15");
        assertThat(results.get(2).get("decision").get("fired_rules")).isEmpty();
    }

    @Test
    void shouldDefaultOccurredAtToNowAndAcceptAFactWithoutUser() {
        String body = "{\"id\":\"no-user\",\"tenant_id\":\"" + tenant + "\",\"type\":\"product.listed\"}";
        Response r = app.post("/api/v1/facts", ingestKey, body);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("user_id").isNull()).isTrue();
        assertThat(r.json().get("occurred_at").asText()).startsWith("20");
    }

    @Test
    void shouldListRecentDecisionsNewestFirst() {
        app.post("/api/v1/facts", ingestKey, fact("recent-1", "order.shipped", "{}"));
        app.post("/api/v1/facts", ingestKey, fact("recent-2", "order.shipped", "{}"));
        Response r = app.get("/api/v1/tenants/" + tenant + "/decisions?limit=2", ingestKey);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("decisions")).hasSize(2);
        assertThat(r.json().get("decisions").get(0).get("fact_id").asText()).isEqualTo("recent-2");
    }

    @Test
    void shouldUnlockAShippedAchievementExactlyOnce() throws Exception {
        String order = "{\"id\":\"%s\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"first-timer\",\"type\":\"order.shipped\"}";
        Response first = app.post("/api/v1/facts", ingestKey, order.formatted("ft-1"));
        Response second = app.post("/api/v1/facts", ingestKey, order.formatted("ft-2"));
        assertThat(first.json().get("outcomes").toString()).contains("\"kind\":\"unlock\"", "first-sale");
        assertThat(second.json().get("outcomes").toString()).doesNotContain("first-sale");
        try (Connection c = app.ownerConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM tenant_achievements ta JOIN achievements a "
                     + "ON a.id = ta.achievement_id WHERE ta.tenant_id = ?::uuid AND ta.user_id = 'first-timer' AND a.achievement_key = 'first-sale'")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void shouldAnswer404ForAnUnknownFact() {
        Response r = app.get("/api/v1/tenants/" + tenant + "/decisions/" + UUID.randomUUID(), ingestKey);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    }
}
