package dev.thrillring.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The platform admin's analytics: two tenants of one platform (on a server of their own, so no
 * other tenant is summed), each with a user called u1 who is a different person, and every
 * number of the sum asserted exactly (March 2026, custom window).
 */
class PlatformAnalyticsTest {
    static final String PLATFORM = "bizosaas";
    static final String MARCH = "?time_period=custom&from=2026-03-01&to=2026-03-31";
    static TestServer app;
    static String tenantA, tenantB, platformAdmin, otherPlatformAdmin, adminA;
    static int n;

    @BeforeAll
    static void seed() throws Exception {
        app = TestServer.start(TestServer.tempDir());
        tenantA = app.createTenant("Platform analytics A", PLATFORM);
        tenantB = app.createTenant("Platform analytics B", PLATFORM);
        adminA = app.issueKey(tenantA, "tenant_admin");
        String adminB = app.issueKey(tenantB, "tenant_admin");
        scoreRule(tenantA, adminA);
        scoreRule(tenantB, adminB);
        String ingestA = app.issueKey(tenantA, "ingest");
        String ingestB = app.issueKey(tenantB, "ingest");
        // A: u1 on two Mondays (scored), u2 once. B: its own u1 once, u3 on two Tuesdays (scored).
        fact(ingestA, tenantA, "u1", "points.earned", "2026-03-02T10:00:00Z");
        fact(ingestA, tenantA, "u1", "points.earned", "2026-03-09T10:00:00Z");
        fact(ingestA, tenantA, "u2", "page_view", "2026-03-03T10:00:00Z");
        fact(ingestB, tenantB, "u1", "page_view", "2026-03-04T10:00:00Z");
        fact(ingestB, tenantB, "u3", "points.earned", "2026-03-10T10:00:00Z");
        fact(ingestB, tenantB, "u3", "points.earned", "2026-03-17T10:00:00Z");
        fact(ingestB, tenantB, "u3", "page_view", "2026-04-02T10:00:00Z"); // after the window
        try (Connection c = app.ownerConnection(); var st = c.createStatement()) {
            // Both tenants own an achievement with the same key: two achievements, two rows.
            st.execute(achievement(tenantA, 3) + achievement(tenantB, 4));
            st.execute(unlock(tenantA, "u1", "2026-03-05T10:00:00Z") + unlock(tenantB, "u3", "2026-03-12T10:00:00Z"));
        }
        platformAdmin = app.post("/api/v1/platforms/" + PLATFORM + "/api-keys", TestServer.ADMIN_KEY, "").json().get("api_key").asText();
        otherPlatformAdmin = app.post("/api/v1/platforms/coreldove/api-keys", TestServer.ADMIN_KEY, "").json().get("api_key").asText();
    }

    @AfterAll
    static void stop() { app.close(); }

    static void scoreRule(String tenant, String admin) {
        String drl = "package overlay;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
                + "rule \"Points score\" when $f : Fact(type == \"points.earned\") then outcomes.score(\"performance\", 5); end\n";
        assertThat(app.upload("/api/v1/rulesets/" + tenant + "/versions", admin, Map.of("s.drl", TestServer.text(drl)), null).status()).isEqualTo(201);
        assertThat(app.post("/api/v1/rulesets/" + tenant + "/versions/1/activate", admin, "").status()).isEqualTo(200);
    }

    static void fact(String key, String tenant, String user, String type, String at) {
        Response r = app.post("/api/v1/facts", key, "{\"id\":\"pa-" + (++n) + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"" + user
                + "\",\"type\":\"" + type + "\",\"occurred_at\":\"" + at + "\",\"attributes\":{}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static String achievement(String tenant, int difficulty) {
        return "INSERT INTO achievements (tenant_id, achievement_key, achievement_name, achievement_type, platform, trigger_conditions, difficulty_level) "
                + "VALUES ('" + tenant + "', 'pa-own', 'Own achievement', 'custom', '" + PLATFORM + "', '{}', " + difficulty + ");";
    }

    static String unlock(String tenant, String user, String at) {
        return "INSERT INTO tenant_achievements (tenant_id, user_id, achievement_id, unlocked_at, completion_percentage) SELECT '" + tenant + "', '"
                + user + "', id, '" + at + "', 100 FROM achievements WHERE tenant_id = '" + tenant + "' AND achievement_key = 'pa-own';";
    }

    static void ratio(JsonNode v, String value, long numerator, long denominator) {
        assertThat(v.get("value").decimalValue()).as(v.toString()).isEqualByComparingTo(value);
        assertThat(v.get("numerator").asLong()).as(v.toString()).isEqualTo(numerator);
        assertThat(v.get("denominator").asLong()).as(v.toString()).isEqualTo(denominator);
    }

    static JsonNode get(String path, String key) {
        Response r = app.get(path, key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void shouldSumBothTenantsExactlyCountingEachTenantsUserOnce() {
        JsonNode body = get("/api/v1/platforms/" + PLATFORM + "/analytics" + MARCH, platformAdmin);
        assertThat(body.get("platform").asText()).isEqualTo(PLATFORM);
        assertThat(body.get("tenants").asInt()).isEqualTo(2);
        JsonNode e = body.get("engagement_metrics");
        // A's u1 and B's u1 are two users.
        assertThat(e.get("active_users").get("value").asInt()).isEqualTo(4);
        JsonNode unlock = e.get("achievement_unlock_rate");
        ratio(unlock, "0.5", 2, 4);
        Map<String, JsonNode> own = new HashMap<>();
        unlock.get("per_achievement").forEach(a -> {
            if (a.get("key").asText().equals("pa-own")) own.put(a.get("tenant_id").asText(), a);
        });
        assertThat(own).hasSize(2);
        ratio(own.get(tenantA), "0.25", 1, 4);
        ratio(own.get(tenantB), "0.25", 1, 4);
        Map<Integer, JsonNode> tiers = new HashMap<>();
        unlock.get("tier_funnel").forEach(t -> tiers.put(t.get("difficulty_level").asInt(), t));
        ratio(tiers.get(3), "0.25", 1, 4);
        ratio(tiers.get(4), "0.25", 1, 4);
        ratio(e.get("referral_participation"), "0", 0, 4);
        ratio(e.get("referral_conversion_rate"), "0", 0, 0);
        ratio(e.get("leaderboard_participation"), "0.5", 2, 4);
        ratio(e.get("portfolio_creation_rate"), "0", 0, 2);
        JsonNode cohorts = e.get("retention").get("cohorts");
        assertThat(cohorts).hasSize(2);
        // A's u1 and u2, B's u1: three users first seen in the week of 2 March.
        assertThat(cohorts.get(0).get("cohort_week").asText()).isEqualTo("2026-03-02");
        assertThat(cohorts.get(0).get("users").asInt()).isEqualTo(3);
        ratio(cohorts.get(0).get("week_1"), "0.3333", 1, 3);
        ratio(cohorts.get(0).get("week_2"), "0", 0, 3);
        assertThat(cohorts.get(1).get("cohort_week").asText()).isEqualTo("2026-03-09");
        assertThat(cohorts.get(1).get("users").asInt()).isEqualTo(1);
        ratio(cohorts.get(1).get("week_1"), "1", 1, 1);
        JsonNode impact = body.get("performance_impact");
        ratio(impact.get("engaged_active_days_per_user"), "2", 4, 2);
        ratio(impact.get("others_active_days_per_user"), "1", 2, 2);
        ratio(impact.get("engaged_active_in_last_7_days"), "0", 0, 2);
    }

    @Test
    void shouldEqualTheSumOfTheTenantsOwnAnswers() {
        JsonNode sum = get("/api/v1/platforms/" + PLATFORM + "/analytics" + MARCH, platformAdmin).get("engagement_metrics");
        JsonNode a = get("/api/v1/gamification/analytics/" + tenantA + MARCH, platformAdmin).get("engagement_metrics");
        JsonNode b = get("/api/v1/gamification/analytics/" + tenantB + MARCH, platformAdmin).get("engagement_metrics");
        assertThat(a.get("active_users").get("value").asInt()).isEqualTo(2);
        assertThat(b.get("active_users").get("value").asInt()).isEqualTo(2);
        for (String metric : new String[]{"achievement_unlock_rate", "leaderboard_participation", "referral_participation"}) {
            assertThat(sum.get(metric).get("numerator").asLong()).as(metric)
                    .isEqualTo(a.get(metric).get("numerator").asLong() + b.get(metric).get("numerator").asLong());
        }
    }

    @Test
    void shouldLetOnlyThePlatformsAdminReadIt() {
        String path = "/api/v1/platforms/" + PLATFORM + "/analytics";
        assertThat(app.get(path, adminA).status()).isEqualTo(403);
        assertThat(app.get(path, otherPlatformAdmin).status()).isEqualTo(403);
        assertThat(app.get(path, TestServer.ADMIN_KEY).status()).isEqualTo(200);
        assertThat(app.get("/api/v1/platforms/nowhere/analytics", TestServer.ADMIN_KEY).status()).isEqualTo(404);
        assertThat(app.get(path + "?time_period=1y", platformAdmin).json().get("errors").get(0).get("field").asText()).isEqualTo("time_period");
    }
}
