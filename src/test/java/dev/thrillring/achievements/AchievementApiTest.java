package dev.thrillring.achievements;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Achievements end to end: facts in, progress, unlocks, events, catalogue and custom achievements out. */
class AchievementApiTest {
    static TestServer app;
    static final AtomicInteger ids = new AtomicInteger();

    record Tenant(String id, String admin, String analyst, String ingest, String viewer) {}

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    static Tenant tenant(String platform) {
        String id = app.createTenant("Achiever " + ids.incrementAndGet(), platform);
        return new Tenant(id, app.issueKey(id, "tenant_admin"), app.issueKey(id, "analyst"), app.issueKey(id, "ingest"), app.issueKey(id, "viewer"));
    }

    static Response fact(Tenant t, String user, String type, String attributes, String occurredAt) {
        return app.post("/api/v1/facts", t.ingest, "{\"id\":\"a-" + ids.incrementAndGet() + "\",\"tenant_id\":\"" + t.id + "\",\"user_id\":\"" + user
                + "\",\"type\":\"" + type + "\",\"attributes\":" + attributes + (occurredAt == null ? "" : ",\"occurred_at\":\"" + occurredAt + "\"") + "}");
    }

    static long count(String sql, String... params) throws Exception {
        try (Connection c = app.ownerConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setString(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static List<String> keys(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get("key").asText()));
        return out;
    }

    @Test
    void shouldListTwentyOrMorePlatformAchievementsWithoutHiddenOnes() {
        for (String platform : List.of("coreldove", "bizoholic", "bizosaas")) {
            Tenant t = tenant(platform);
            Response r = app.get("/api/v1/gamification/achievements", t.viewer);
            assertThat(r.status()).isEqualTo(200);
            var list = r.json().get("achievements");
            assertThat(list.size()).as(platform).isGreaterThanOrEqualTo(20);
            assertThat(list.findValuesAsText("is_hidden")).containsOnly("false");
            assertThat(list.get(0).get("trigger_conditions").get("metric").isTextual()).isTrue();
        }
        Response admin = app.get("/api/v1/gamification/achievements?platform=coreldove", TestServer.ADMIN_KEY);
        assertThat(keys(admin.json().get("achievements"))).contains("first-sale", "orders-bronze", "orders-silver", "orders-gold", "sales-streak-4", "busy-week");
    }

    @Test
    void shouldTrackProgressUnlockTiersAndRecommendTheNextMilestone() throws Exception {
        Tenant t = tenant("coreldove");
        for (int i = 0; i < 10; i++) assertThat(fact(t, "u-1", "order.shipped", "{\"value\": 50}", null).status()).isEqualTo(200);

        Response r = app.get("/api/v1/gamification/achievements/progress/" + t.id + "?user_id=u-1&platform=coreldove", t.viewer);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(keys(r.json().get("unlocked_achievements"))).contains("first-sale", "orders-bronze").doesNotContain("orders-silver");
        assertThat(r.json().get("progress_updates").toString()).contains("\"key\":\"orders-silver\"", "\"current\":10.0", "\"target\":100.0");
        assertThat(r.json().get("recommendations")).isNotEmpty();
        assertThat(r.json().get("recommendations").get(0).get("key").asText()).isEqualTo("revenue-bronze");
        assertThat(r.json().get("next_milestones").toString()).contains("\"metric\":\"orders_shipped\"", "orders-silver", "90 more orders shipped");

        Response gateway = app.get("/api/v1/gamification/achievements/" + t.id + "?user_id=u-1", t.viewer);
        assertThat(gateway.json().get("unlocked_achievements")).isEqualTo(r.json().get("unlocked_achievements"));

        assertThat(count("SELECT count(*) FROM events WHERE tenant_id = ?::uuid AND type = 'achievement.unlocked' "
                + "AND data->>'achievement' = 'orders-bronze' AND data->>'source' IS NOT NULL AND data->>'rule' LIKE 'Achievements%'", t.id)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM events WHERE tenant_id = ?::uuid AND type = 'achievement.progressed'", t.id))
                .isGreaterThan(10);
        Response catalogue = app.get("/api/v1/gamification/achievements", t.viewer);
        assertThat(catalogue.json().get("achievements").toString()).contains("\"key\":\"first-sale\"");
        for (JsonNode a : catalogue.json().get("achievements")) {
            if (a.get("key").asText().equals("orders-bronze")) assertThat(a.get("unlock_count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void shouldUnlockExactlyOnceWhenFactsForOneSubjectRace() throws Exception {
        Tenant t = tenant("coreldove");
        List<Future<Response>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(12)) {
            for (int i = 0; i < 24; i++) results.add(pool.submit(() -> fact(t, "racer", "order.shipped", "{}", null)));
        }
        for (Future<Response> f : results) assertThat(f.get().status()).isEqualTo(200);
        assertThat(count("SELECT count(*) FROM tenant_achievements ta JOIN achievements a ON a.id = ta.achievement_id "
                + "WHERE ta.tenant_id = ?::uuid AND a.achievement_key IN ('first-sale', 'orders-bronze') AND ta.unlocked_at IS NOT NULL", t.id)).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM events WHERE tenant_id = ?::uuid AND type = 'achievement.unlocked'", t.id)).isEqualTo(2);
        assertThat(count("SELECT value::bigint FROM subject_metrics WHERE tenant_id = ?::uuid AND user_id = 'racer' "
                + "AND metric = 'orders_shipped' AND period_key = 'all'", t.id)).isEqualTo(24);
    }

    static Response custom(Tenant t, String key, String extra) {
        return app.post("/api/v1/gamification/achievements/custom", t.analyst, "{\"tenant_id\":\"" + t.id + "\",\"key\":\"" + key
                + "\",\"name\":\"Custom " + key + "\",\"metric\":\"orders_shipped\"" + extra + "}");
    }

    @Test
    void shouldBackfillACustomAchievementWithoutANotificationFloodAndKeepItToItsTenant() throws Exception {
        Tenant t = tenant("coreldove");
        Tenant other = tenant("coreldove");
        for (String user : List.of("early-1", "early-2")) {
            for (int i = 0; i < 3; i++) fact(t, user, "order.shipped", "{}", null);
        }
        fact(t, "late", "order.shipped", "{}", null);

        Response created = custom(t, "three-orders", ",\"threshold\":3,\"reward\":{\"points\":30,\"badge\":\"triple\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("backfilled_subjects").asInt()).isEqualTo(2);

        Response early = app.get("/api/v1/gamification/achievements/progress/" + t.id + "?user_id=early-1", t.viewer);
        assertThat(early.json().get("unlocked_achievements").toString()).contains("\"key\":\"three-orders\"", "\"backfilled\":true");
        assertThat(count("SELECT count(*) FROM events WHERE tenant_id = ?::uuid AND type = 'achievement.backfilled'", t.id)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM events WHERE tenant_id = ?::uuid AND type = 'achievement.unlocked' "
                + "AND data->>'achievement' = 'three-orders'", t.id)).isZero();

        fact(t, "late", "order.shipped", "{}", null);
        Response third = fact(t, "late", "order.shipped", "{}", null);
        assertThat(third.json().get("fired_rules").toString()).contains("Custom achievement three-orders");
        assertThat(third.json().get("outcomes").toString()).contains("\"achievement\":\"three-orders\"", "\"amount\":30");

        for (int i = 0; i < 4; i++) assertThat(fact(other, "u", "order.shipped", "{}", null).json().get("fired_rules").toString())
                .doesNotContain("three-orders");
        assertThat(keys(app.get("/api/v1/gamification/achievements", other.viewer).json().get("achievements"))).doesNotContain("three-orders");
        assertThat(keys(app.get("/api/v1/gamification/achievements", t.viewer).json().get("achievements"))).contains("three-orders");
        assertThat(custom(t, "three-orders", ",\"threshold\":5").status()).isEqualTo(409);
    }

    /** The achievement events of one subject as (type, achievement, occurrence, percentage, index of the fact that caused it). */
    static List<String> achievementEvents(Tenant t, String user, String idPrefix) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = app.ownerConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT type, data->>'achievement', data->>'occurrence', data->>'percentage', data->>'source' FROM events "
                        + "WHERE tenant_id = ?::uuid AND subject = ? AND type LIKE 'achievement.%' ORDER BY position")) {
            ps.setString(1, t.id);
            ps.setString(2, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(String.join(" ", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5).substring(idPrefix.length())));
            }
        }
        return out;
    }

    @Test
    void shouldWriteTheSameProgressUnlocksAndEventsForABatchAsForTheSameFactsOneByOne() throws Exception {
        Tenant t = tenant("coreldove");
        String single = "single-" + ids.incrementAndGet() + "-";
        String batched = "batched-" + ids.incrementAndGet() + "-";
        StringBuilder batch = new StringBuilder("{\"facts\":[");
        for (int i = 0; i < 12; i++) {
            String attributes = "{\"value\":" + (40 + i) + "}";
            Response r = app.post("/api/v1/facts", t.ingest, "{\"id\":\"" + single + i + "\",\"tenant_id\":\"" + t.id
                    + "\",\"user_id\":\"one-by-one\",\"type\":\"order.shipped\",\"attributes\":" + attributes + "}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            batch.append(i == 0 ? "" : ",").append("{\"id\":\"").append(batched).append(i).append("\",\"tenant_id\":\"").append(t.id)
                    .append("\",\"user_id\":\"grouped\",\"type\":\"order.shipped\",\"attributes\":").append(attributes).append("}");
        }
        Response r = app.post("/api/v1/facts", t.ingest, batch.append("]}").toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);

        List<String> oneByOne = achievementEvents(t, "one-by-one", single);
        assertThat(oneByOne).contains("achievement.unlocked first-sale 1 null 0").anyMatch(e -> e.startsWith("achievement.unlocked orders-bronze 1 null "));
        assertThat(achievementEvents(t, "grouped", batched)).isEqualTo(oneByOne);
        String rows = "SELECT string_agg(a.achievement_key || ':' || ta.occurrence || ':' || ta.completion_percentage || ':' "
                + "|| coalesce(ta.progress_data::text, '') || ':' || (ta.unlocked_at IS NOT NULL), ',' ORDER BY a.achievement_key) "
                + "FROM tenant_achievements ta JOIN achievements a ON a.id = ta.achievement_id WHERE ta.tenant_id = ?::uuid AND ta.user_id = ?";
        try (Connection c = app.ownerConnection(); PreparedStatement ps = c.prepareStatement(rows)) {
            List<String> both = new ArrayList<>();
            for (String user : List.of("one-by-one", "grouped")) {
                ps.setString(1, t.id);
                ps.setString(2, user);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    both.add(rs.getString(1));
                }
            }
            assertThat(both.get(0)).contains("first-sale:1:100.00").isNotEmpty();
            assertThat(both.get(1)).isEqualTo(both.get(0));
        }
    }

    @Test
    void shouldUnlockARepeatableAchievementAgainFromOneBatchAcrossGroups() throws Exception {
        Tenant t = tenant("coreldove");
        assertThat(custom(t, "two-a-day", ",\"threshold\":2,\"period\":\"day\",\"cooldown_days\":1").status()).isEqualTo(201);
        StringBuilder batch = new StringBuilder("{\"facts\":[");
        String[] times = {"2026-11-01T01:00:00Z", "2026-11-01T02:00:00Z", "2026-11-01T03:00:00Z", "2026-11-03T10:00:00Z", "2026-11-03T10:01:00Z"};
        for (int i = 0; i < times.length; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"id\":\"rb-").append(ids.incrementAndGet()).append("\",\"tenant_id\":\"").append(t.id)
                    .append("\",\"user_id\":\"daily\",\"type\":\"order.shipped\",\"occurred_at\":\"").append(times[i]).append("\"}");
        }
        Response r = app.post("/api/v1/facts", t.ingest, batch.append("]}").toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(count("SELECT count(*) FROM tenant_achievements ta JOIN achievements a ON a.id = ta.achievement_id "
                + "WHERE ta.tenant_id = ?::uuid AND a.achievement_key = 'two-a-day' AND ta.unlocked_at IS NOT NULL", t.id)).isEqualTo(2);
        assertThat(count("SELECT max(occurrence) FROM tenant_achievements ta JOIN achievements a ON a.id = ta.achievement_id "
                + "WHERE ta.tenant_id = ?::uuid AND a.achievement_key = 'two-a-day' AND ta.unlocked_at IS NOT NULL", t.id)).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM events WHERE tenant_id = ?::uuid AND type = 'achievement.unlocked' "
                + "AND data->>'achievement' = 'two-a-day'", t.id)).isEqualTo(2);
    }

    @Test
    void shouldUnlockARepeatableAchievementOncePerCooldown() throws Exception {
        Tenant t = tenant("coreldove");
        assertThat(custom(t, "two-a-day", ",\"threshold\":2,\"period\":\"day\",\"cooldown_days\":1").status()).isEqualTo(201);
        for (int i = 0; i < 4; i++) fact(t, "daily", "order.shipped", "{}", "2026-11-01T0" + (i + 1) + ":00:00Z");
        for (int i = 0; i < 2; i++) fact(t, "daily", "order.shipped", "{}", "2026-11-03T10:0" + i + ":00Z");
        assertThat(count("SELECT count(*) FROM tenant_achievements ta JOIN achievements a ON a.id = ta.achievement_id "
                + "WHERE ta.tenant_id = ?::uuid AND a.achievement_key = 'two-a-day' AND ta.unlocked_at IS NOT NULL", t.id)).isEqualTo(2);
        assertThat(count("SELECT max(occurrence) FROM tenant_achievements ta JOIN achievements a ON a.id = ta.achievement_id "
                + "WHERE ta.tenant_id = ?::uuid AND a.achievement_key = 'two-a-day' AND ta.unlocked_at IS NOT NULL", t.id)).isEqualTo(2);
    }

    @Test
    void shouldShowAHiddenAchievementOnlyOnceUnlocked() {
        Tenant t = tenant("coreldove");
        assertThat(custom(t, "secret-pair", ",\"threshold\":2,\"hidden\":true").status()).isEqualTo(201);
        assertThat(keys(app.get("/api/v1/gamification/achievements", t.viewer).json().get("achievements"))).doesNotContain("secret-pair");
        fact(t, "seeker", "order.shipped", "{}", null);
        fact(t, "seeker", "order.shipped", "{}", null);
        assertThat(keys(app.get("/api/v1/gamification/achievements", t.viewer).json().get("achievements"))).contains("secret-pair");
    }

    @Test
    void shouldRefuseBadCustomAchievementsNamingTheFields() {
        Tenant t = tenant("bizoholic");
        Response r = app.post("/api/v1/achievements/custom", t.analyst, "{\"tenant_id\":\"" + t.id + "\",\"key\":\"Bad Key\",\"name\":\"\","
                + "\"metric\":\"x; System.exit(0)\",\"threshold\":-1,\"period\":\"year\",\"comparison\":\"<\",\"reward\":{\"points\":1.5,\"cash\":3}}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("errors").findValuesAsText("field"))
                .contains("key", "name", "metric", "threshold", "period", "comparison", "reward.points", "reward.cash");
        assertThat(app.post("/api/v1/achievements/custom", t.viewer, "{\"tenant_id\":\"" + t.id + "\"}").status()).isEqualTo(403);
        Tenant other = tenant("bizoholic");
        assertThat(app.post("/api/v1/achievements/custom", other.analyst, "{\"tenant_id\":\"" + t.id + "\",\"key\":\"mine\",\"name\":\"x\","
                + "\"metric\":\"leads\",\"threshold\":1}").status()).isEqualTo(403);
        assertThat(app.get("/api/v1/gamification/achievements/progress/" + t.id, other.viewer).status()).isEqualTo(403);
    }
}
