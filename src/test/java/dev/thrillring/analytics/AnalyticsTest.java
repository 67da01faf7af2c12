package dev.thrillring.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Analytics on seeded facts: every number asserted exactly (October 2026 window, custom period). */
class AnalyticsTest {
    static TestServer app;
    static String tenant, admin, analyst, viewer;
    static int n;

    @BeforeAll
    static void seed() throws Exception {
        app = TestServer.shared();
        tenant = app.createTenant("Analytics seeded", "bizosaas");
        admin = app.issueKey(tenant, "tenant_admin");
        analyst = app.issueKey(tenant, "analyst");
        viewer = app.issueKey(tenant, "viewer");
        String ingest = app.issueKey(tenant, "ingest");
        String drl = "package overlay;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
                + "rule \"Points score\" when $f : Fact(type == \"points.earned\") then outcomes.score(\"performance\", $f.num(\"points\")); end\n"
                // A score no board takes is recorded nowhere: page views (u3, u4, u5) are not board participants.
                + "rule \"Nowhere\" when $f : Fact(type == \"page_view\") then outcomes.score(\"no-such-board\", 1); end\n";
        assertThat(app.upload("/api/v1/rulesets/" + tenant + "/versions", admin, Map.of("s.drl", TestServer.text(drl)), null).status()).isEqualTo(201);
        assertThat(app.post("/api/v1/rulesets/" + tenant + "/versions/1/activate", admin, "").status()).isEqualTo(200);
        // Activity: u1 three Mondays, u2 twice, u3 once, u4 a page view only, u5 first seen in September.
        fact(ingest, "u1", "points.earned", "2026-10-05T10:00:00Z");
        fact(ingest, "u1", "points.earned", "2026-10-12T10:00:00Z");
        fact(ingest, "u1", "points.earned", "2026-10-19T10:00:00Z");
        fact(ingest, "u1", "points.earned", "2026-10-19T11:00:00Z");
        fact(ingest, "u2", "points.earned", "2026-10-06T10:00:00Z");
        fact(ingest, "u2", "points.earned", "2026-10-20T10:00:00Z");
        fact(ingest, "u3", "page_view", "2026-10-07T10:00:00Z");
        fact(ingest, "u4", "page_view", "2026-10-14T10:00:00Z");
        fact(ingest, "u5", "page_view", "2026-09-28T10:00:00Z");
        fact(ingest, "u5", "page_view", "2026-10-02T10:00:00Z");
        fact(ingest, "u6", "page_view", "2026-11-02T10:00:00Z"); // after the window

        String codeU1 = code("u1");
        String codeU4 = code("u4");
        try (Connection c = app.ownerConnection(); var st = c.createStatement()) {
            st.execute("INSERT INTO achievements (tenant_id, achievement_key, achievement_name, achievement_type, platform, trigger_conditions, difficulty_level) VALUES "
                    + "('" + tenant + "', 'an-a', 'Achievement A', 'custom', 'bizosaas', '{}', 2), ('" + tenant + "', 'an-b', 'Achievement B', 'custom', 'bizosaas', '{}', 4)");
            st.execute(unlock("u1", "an-a", "2026-10-10T10:00:00Z") + unlock("u2", "an-a", "2026-10-21T10:00:00Z")
                    + unlock("u2", "an-b", "2026-10-22T10:00:00Z") + unlock("u3", "an-b", "2026-09-15T10:00:00Z"));
            st.execute("UPDATE referral_codes SET created_at = '2026-10-03T10:00:00Z' WHERE tenant_id = '" + tenant + "' AND code = '" + codeU1 + "'");
            st.execute("UPDATE referral_codes SET created_at = '2026-09-01T10:00:00Z' WHERE tenant_id = '" + tenant + "' AND code = '" + codeU4 + "'");
            st.execute(click(codeU1, "10.0.0.1", "dev-1", "2026-10-04T10:00:00Z") + click(codeU4, "10.0.0.2", "dev-2", "2026-10-15T10:00:00Z")
                    + click(codeU4, "10.0.0.3", "dev-2", "2026-10-15T11:00:00Z") + click(codeU4, "10.0.0.4", null, "2026-10-16T10:00:00Z")
                    + click(codeU4, "10.0.0.5", null, "2026-11-03T10:00:00Z"));
            st.execute(conversion(codeU4, "approved", "2026-10-16T12:00:00Z") + conversion(codeU4, "pending_review", "2026-10-17T12:00:00Z")
                    + conversion(codeU4, "rejected", "2026-10-18T12:00:00Z") + conversion(codeU1, "approved", "2026-11-05T12:00:00Z"));
        }
    }

    static void fact(String key, String user, String type, String at) {
        Response r = app.post("/api/v1/facts", key, "{\"id\":\"an-" + (++n) + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"" + user
                + "\",\"type\":\"" + type + "\",\"occurred_at\":\"" + at + "\",\"attributes\":{\"points\":5}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static String code(String user) {
        Response r = app.post("/api/v1/gamification/referral/generate-code", admin, "{\"tenant_id\":\"" + tenant + "\",\"referrer_user_id\":\"" + user + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("referral_code").asText();
    }

    static String unlock(String user, String key, String at) {
        return "INSERT INTO tenant_achievements (tenant_id, user_id, achievement_id, unlocked_at, completion_percentage) SELECT '" + tenant + "', '"
                + user + "', id, '" + at + "', 100 FROM achievements WHERE tenant_id = '" + tenant + "' AND achievement_key = '" + key + "';";
    }

    static String click(String code, String ip, String device, String at) {
        return "INSERT INTO referral_clicks (tenant_id, referral_code_id, ip_address, device_fingerprint, clicked_at) SELECT tenant_id, id, '" + ip + "', "
                + (device == null ? "NULL" : "'" + device + "'") + ", '" + at + "' FROM referral_codes WHERE tenant_id = '" + tenant + "' AND code = '" + code + "';";
    }

    static String conversion(String code, String status, String at) {
        return "INSERT INTO referral_conversions (tenant_id, referral_code_id, program_id, referee_tenant_id, referee_user_id, conversion_type, status, created_at) "
                + "SELECT tenant_id, id, program_id, tenant_id, 'referee-" + (++n) + "', 'signup', '" + status + "', '" + at + "' FROM referral_codes WHERE tenant_id = '"
                + tenant + "' AND code = '" + code + "';";
    }

    static JsonNode october(String path) {
        Response r = app.get(path + tenant + "?time_period=custom&from=2026-10-01&to=2026-10-31", analyst);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static void ratio(JsonNode v, String value, long numerator, long denominator) {
        assertThat(v.get("value").decimalValue()).as(v.toString()).isEqualByComparingTo(value);
        assertThat(v.get("numerator").asLong()).as(v.toString()).isEqualTo(numerator);
        assertThat(v.get("denominator").asLong()).as(v.toString()).isEqualTo(denominator);
        assertThat(v.get("formula").asText()).isNotBlank();
        assertThat(v.get("window").get("from").asText()).isEqualTo("2026-10-01");
        assertThat(v.get("window").get("to").asText()).isEqualTo("2026-10-31");
    }

    @Test
    void shouldComputeEveryEngagementNumberFromTheSeededFacts() {
        for (String path : List.of("/api/v1/gamification/analytics/", "/analytics/gamification/")) {
            JsonNode e = october(path).get("engagement_metrics");
            assertThat(e.get("active_users").get("value").asInt()).isEqualTo(5);
            JsonNode unlock = e.get("achievement_unlock_rate");
            ratio(unlock, "0.4", 2, 5);
            Map<String, JsonNode> per = new java.util.HashMap<>();
            unlock.get("per_achievement").forEach(a -> per.put(a.get("key").asText(), a));
            ratio(per.get("an-a"), "0.4", 2, 5);
            ratio(per.get("an-b"), "0.2", 1, 5);
            Map<Integer, JsonNode> tiers = new java.util.HashMap<>();
            unlock.get("tier_funnel").forEach(t -> tiers.put(t.get("difficulty_level").asInt(), t));
            ratio(tiers.get(2), "0.4", 2, 5);
            ratio(tiers.get(4), "0.2", 1, 5);
            ratio(e.get("referral_participation"), "0.4", 2, 5);
            JsonNode conv = e.get("referral_conversion_rate");
            ratio(conv, "0.3333", 1, 3);
            assertThat(conv.get("flagged_excluded").get("count").asInt()).isEqualTo(2);
            assertThat(conv.get("flagged_excluded").get("pending_review").asInt()).isEqualTo(1);
            assertThat(conv.get("flagged_excluded").get("rejected").asInt()).isEqualTo(1);
            ratio(e.get("leaderboard_participation"), "0.4", 2, 5);
            ratio(e.get("portfolio_creation_rate"), "0", 0, 1);
            assertThat(e.get("portfolio_creation_rate").get("note").asText()).contains("showcase");
            JsonNode cohorts = e.get("retention").get("cohorts");
            assertThat(cohorts).hasSize(2);
            assertThat(cohorts.get(0).get("cohort_week").asText()).isEqualTo("2026-10-05");
            assertThat(cohorts.get(0).get("users").asInt()).isEqualTo(3);
            ratio(cohorts.get(0).get("week_1"), "0.3333", 1, 3);
            ratio(cohorts.get(0).get("week_2"), "0.6667", 2, 3);
            ratio(cohorts.get(0).get("week_3"), "0", 0, 3);
            ratio(cohorts.get(0).get("week_4"), "0", 0, 3);
            assertThat(cohorts.get(1).get("cohort_week").asText()).isEqualTo("2026-10-12");
            assertThat(cohorts.get(1).get("users").asInt()).isEqualTo(1);
            ratio(cohorts.get(1).get("week_1"), "0", 0, 1);
        }
    }

    @Test
    void shouldCompareEngagedUsersObservationallyAndNameTheNumberBehindEachRecommendation() {
        JsonNode body = october("/api/v1/gamification/analytics/");
        JsonNode impact = body.get("performance_impact");
        assertThat(impact.get("kind").asText()).isEqualTo("observational");
        ratio(impact.get("engaged_active_days_per_user"), "1.75", 7, 4);
        ratio(impact.get("others_active_days_per_user"), "1", 1, 1);
        ratio(impact.get("engaged_active_in_last_7_days"), "0", 0, 4);
        assertThat(body.get("recommendations")).isNotEmpty();
        for (JsonNode r : body.get("recommendations")) {
            assertThat(r.get("kind").asText()).isEqualTo("achievement_unreached");
            assertThat(r.get("triggered_by").get("metric").asText()).doesNotContain("an-a").doesNotContain("an-b");
            assertThat(r.get("triggered_by").get("numerator").asLong()).isZero();
            assertThat(r.get("triggered_by").get("denominator").asLong()).isEqualTo(5);
        }
    }

    @Test
    void shouldCountTheSameFromEachUsersRecentDaysAsFromTheUserDays() {
        // counts() reads each user's recent bits when the window starts within 128 days of "today", else the user days.
        var scope = new dev.thrillring.db.TenantScope(app.server.database().dsl(), app.server.database().dataSource());
        var store = new AnalyticsStore();
        java.util.UUID t = java.util.UUID.fromString(tenant);
        java.util.function.BiFunction<AnalyticsStore.Window, java.time.LocalDate, AnalyticsCounts> counts =
                (w, today) -> scope.inTenant(t, tx -> store.counts(tx, t, "bizosaas", w, today));
        var october = new AnalyticsStore.Window(java.time.LocalDate.of(2026, 10, 1), java.time.LocalDate.of(2026, 10, 31));
        AnalyticsCounts fromBits = counts.apply(october, java.time.LocalDate.of(2026, 11, 1));
        AnalyticsCounts fromDays = counts.apply(october, java.time.LocalDate.of(2030, 1, 1));
        assertThat(fromBits.active()).isEqualTo(5);
        assertThat(fromBits).isEqualTo(fromDays);
        // A window starting more than 127 days before some user's last day: the bits cannot answer, the user days do.
        var long_ = new AnalyticsStore.Window(java.time.LocalDate.of(2026, 5, 1), java.time.LocalDate.of(2026, 10, 31));
        assertThat(counts.apply(long_, java.time.LocalDate.of(2026, 6, 1))).isEqualTo(counts.apply(long_, java.time.LocalDate.of(2030, 1, 1)));
        assertThat(counts.apply(long_, java.time.LocalDate.of(2026, 6, 1)).active()).isEqualTo(5); // u6 is first seen in November
    }

    @Test
    void shouldRefuseBadWindowsAndReadersWithoutTheRight() {
        String base = "/api/v1/gamification/analytics/" + tenant;
        assertThat(app.get(base + "?time_period=1y", analyst).json().get("errors").get(0).get("field").asText()).isEqualTo("time_period");
        assertThat(app.get(base + "?time_period=custom&from=2026-10-01", analyst).json().get("errors").get(0).get("field").asText()).isEqualTo("to");
        assertThat(app.get(base + "?metrics=happiness", analyst).json().get("errors").get(0).get("field").asText()).isEqualTo("metrics");
        assertThat(app.get(base, viewer).status()).isEqualTo(403);
        String other = app.createTenant("Analytics other", "bizosaas");
        assertThat(app.get("/api/v1/gamification/analytics/" + other, analyst).status()).isEqualTo(403);
        JsonNode only = app.get(base + "?time_period=7d&metrics=leaderboard_participation", analyst).json().get("engagement_metrics");
        assertThat(only.has("leaderboard_participation")).isTrue();
        assertThat(only.has("achievement_unlock_rate")).isFalse();
    }
}
