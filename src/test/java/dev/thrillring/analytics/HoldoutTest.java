package dev.thrillring.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The deterministic holdout: its setting, its membership (SQL agrees with Java), and the analytics split it gives. */
class HoldoutTest {
    static TestServer app;
    static String tenant, admin, analyst;
    static final BigDecimal HALF = new BigDecimal("0.5");
    /** Users h1..h8 first seen in October on 1 to 3 Mondays (every fourth also on 27 October); h9 and h10 in September. */
    static final List<String> OCTOBER = List.of("2026-10-05", "2026-10-12", "2026-10-19");

    @BeforeAll
    static void seed() throws Exception {
        app = TestServer.shared();
        tenant = app.createTenant("Holdout", "bizosaas");
        admin = app.issueKey(tenant, "tenant_admin");
        analyst = app.issueKey(tenant, "analyst");
        String ingest = app.issueKey(tenant, "ingest");
        int n = 0;
        for (int i = 1; i <= 8; i++) {
            for (int d = 0; d <= i % 3; d++) fact(ingest, "ho-" + (++n), "h" + i, OCTOBER.get(d) + "T10:00:00Z");
            if (i % 4 == 0) fact(ingest, "ho-" + (++n), "h" + i, "2026-10-27T10:00:00Z");
        }
        fact(ingest, "ho-" + (++n), "h9", "2026-09-14T10:00:00Z");
        fact(ingest, "ho-" + (++n), "h10", "2026-09-15T10:00:00Z");
        fact(ingest, "ho-" + (++n), "h10", "2026-10-06T10:00:00Z");
        Response on = app.send("PUT", "/api/v1/tenants/" + tenant + "/holdout", admin, "application/json", "{\"share\":0.5}");
        assertThat(on.status()).as(on.body()).isEqualTo(200);
        assertThat(on.json().get("enabled").asBoolean()).isTrue();
        // Started on 1 October, as if the tenant had turned it on then.
        try (Connection c = app.ownerConnection(); var st = c.createStatement()) {
            st.execute("UPDATE analytics_holdouts SET started_on = '2026-10-01' WHERE tenant_id = '" + tenant + "'");
        }
    }

    static void fact(String key, String id, String user, String at) {
        Response r = app.post("/api/v1/facts", key, "{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"" + user
                + "\",\"type\":\"page_view\",\"occurred_at\":\"" + at + "\",\"attributes\":{}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void shouldDecideAHeldOutUsersFactsWithoutRewardsOrEvents() {
        String shop = app.createTenant("Holdout shop", "coreldove");
        String shopAdmin = app.issueKey(shop, "tenant_admin");
        String shopIngest = app.issueKey(shop, "ingest");
        String shopAnalyst = app.issueKey(shop, "analyst");
        assertThat(app.send("PUT", "/api/v1/tenants/" + shop + "/holdout", shopAdmin, "application/json", "{\"share\":0.5}").status())
                .isEqualTo(200);
        UUID id = UUID.fromString(shop);
        String held = null, treated = null;
        for (int i = 1; held == null || treated == null; i++) {
            if (Holdout.contains(id, "s" + i, HALF)) held = held == null ? "s" + i : held;
            else treated = treated == null ? "s" + i : treated;
        }
        // A first shipped order unlocks first-sale and scores on the boards, for a treated user.
        JsonNode kept = order(shopIngest, shop, "hs-1", held);
        JsonNode given = order(shopIngest, shop, "hs-2", treated);
        assertThat(given.toString()).contains("\"kind\":\"unlock\"", "first-sale");
        assertThat(kept.toString()).doesNotContain("\"kind\":\"unlock\"", "\"kind\":\"score\"", "\"kind\":\"points\"", "\"kind\":\"progress\"")
                .contains("\"kind\":\"metric");
        String heldUser = held, treatedUser = treated;
        List<JsonNode> events = new ArrayList<>();
        app.get("/api/v1/tenants/" + shop + "/events?limit=1000", shopAnalyst).json().get("events").forEach(events::add);
        assertThat(events).anyMatch(e -> e.get("subject").asText().equals(treatedUser) && e.get("type").asText().equals("achievement.unlocked"));
        assertThat(events).noneMatch(e -> e.get("subject").asText().equals(heldUser));
    }

    static JsonNode order(String key, String tenant, String id, String user) {
        Response r = app.post("/api/v1/facts", key, "{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"" + user
                + "\",\"type\":\"order.shipped\",\"attributes\":{\"order_value\":120}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("outcomes");
    }

    static void ratio(JsonNode v, long numerator, long denominator) {
        assertThat(v.get("numerator").asLong()).as(v.toString()).isEqualTo(numerator);
        assertThat(v.get("denominator").asLong()).as(v.toString()).isEqualTo(denominator);
    }

    @Test
    void shouldPlaceUsersByTheirHashAlone() {
        UUID t = UUID.fromString("00000000-0000-0000-0000-000000000001");
        // The first 4 bytes of md5("<tenant>:u1"), unsigned, mod 10,000 (computed independently with Python).
        assertThat(Holdout.bucket(t, "u1")).isEqualTo(7533);
        assertThat(Holdout.bucket(t, "u2")).isEqualTo(5484);
        assertThat(Holdout.contains(t, "u2", new BigDecimal("0.5485"))).isTrue();
        assertThat(Holdout.contains(t, "u2", new BigDecimal("0.5484"))).isFalse();
        assertThat(Holdout.contains(t, null, HALF)).isFalse();
    }

    @Test
    void shouldSplitTheUsersFirstSeenSinceTheStartExactly() {
        UUID t = UUID.fromString(tenant);
        long[] held = new long[4], treated = new long[4]; // users, active, days, active in the last 7 days
        for (int i = 1; i <= 8; i++) {
            long[] g = Holdout.contains(t, "h" + i, HALF) ? held : treated;
            g[0]++;
            g[1]++;
            g[2] += i % 3 + 1 + (i % 4 == 0 ? 1 : 0);
            if (i % 4 == 0) g[3]++;
        }
        JsonNode h = app.get("/api/v1/gamification/analytics/" + tenant + "?time_period=custom&from=2026-10-01&to=2026-10-31", analyst)
                .json().get("performance_impact").get("holdout");
        assertThat(h.get("enabled").asBoolean()).isTrue();
        assertThat(h.get("share").decimalValue()).isEqualByComparingTo("0.5");
        assertThat(h.get("started_on").asText()).isEqualTo("2026-10-01");
        assertThat(h.get("rewards_withheld").asBoolean()).isTrue();
        List<JsonNode> groups = new ArrayList<>(List.of(h.get("held_out"), h.get("treated")));
        long[][] expected = {held, treated};
        for (int k = 0; k < 2; k++) {
            JsonNode g = groups.get(k);
            long[] e = expected[k];
            assertThat(g.get("users").asLong()).isEqualTo(e[0]);
            ratio(g.get("active_in_window"), e[1], e[0]);
            ratio(g.get("active_days_per_user"), e[2], e[0]);
            ratio(g.get("active_in_last_7_days"), e[3], e[0]);
        }
        BigDecimal lift = h.get("treated").get("active_days_per_user").get("value").decimalValue()
                .subtract(h.get("held_out").get("active_days_per_user").get("value").decimalValue());
        assertThat(h.get("lift").get("active_days_per_user").decimalValue()).isEqualByComparingTo(lift);
    }

    @Test
    void shouldValidateTheShareAndLetOnlyAdminsSetIt() {
        String path = "/api/v1/tenants/" + tenant + "/holdout";
        for (String bad : new String[]{"{\"share\":0.6}", "{\"share\":-0.1}", "{\"share\":0.12345}", "{}", "{\"share\":\"half\"}"}) {
            Response r = app.send("PUT", path, admin, "application/json", bad);
            assertThat(r.status()).as(bad + " " + r.body()).isEqualTo(422);
            assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("share");
        }
        assertThat(app.send("PUT", path, analyst, "application/json", "{\"share\":0.1}").status()).isEqualTo(403);
        assertThat(app.get(path, analyst).json().get("share").decimalValue()).isEqualByComparingTo("0.5");
        String other = app.createTenant("Holdout other", "bizosaas");
        String otherAdmin = app.issueKey(other, "tenant_admin");
        String otherPath = "/api/v1/tenants/" + other + "/holdout";
        assertThat(app.get(otherPath, otherAdmin).json().get("enabled").asBoolean()).isFalse();
        assertThat(app.send("PUT", otherPath, otherAdmin, "application/json", "{\"share\":0.1}").json().get("share").decimalValue()).isEqualByComparingTo("0.1");
        assertThat(app.send("PUT", otherPath, otherAdmin, "application/json", "{\"share\":0}").json().get("enabled").asBoolean()).isFalse();
        assertThat(app.get("/api/v1/gamification/analytics/" + other, app.issueKey(other, "analyst")).json()
                .get("performance_impact").get("holdout").get("enabled").asBoolean()).isFalse();
    }
}
