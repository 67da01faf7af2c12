package dev.thrillring.leaderboards;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Boards scored by the rules from posted facts, read back with ranks, privacy and history. */
class LeaderboardTest {
    static TestServer app;
    static final AtomicInteger n = new AtomicInteger();

    record Tenant(String id, String admin, String ingest, String viewer) {}

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    /** Each test runs on its own platform, so boards hold only its tenants. */
    static String platform() throws Exception {
        String name = "lb" + n.incrementAndGet() + "x" + System.nanoTime() % 100000;
        try (var c = app.ownerConnection()) {
            c.createStatement().execute("INSERT INTO platforms (name) VALUES ('" + name + "')");
            c.createStatement().execute("INSERT INTO leaderboards (leaderboard_key, leaderboard_name, platform, leaderboard_type, scoring_criteria, time_period, visibility) "
                    + "SELECT leaderboard_key, leaderboard_name, '" + name + "', leaderboard_type, scoring_criteria, time_period, visibility FROM leaderboards "
                    + "WHERE platform = 'bizosaas' AND tenant_id IS NULL");
        }
        return name;
    }

    static Tenant tenant(String platform, String industry) {
        Response r = app.post("/api/v1/tenants", TestServer.ADMIN_KEY, "{\"name\":\"Board " + n.incrementAndGet() + "\",\"platform\":\"" + platform
                + "\",\"industry\":\"" + industry + "\"}");
        String id = r.json().get("tenant_id").asText();
        return new Tenant(id, app.issueKey(id, "tenant_admin"), app.issueKey(id, "ingest"), app.issueKey(id, "viewer"));
    }

    /** The platform has no rules of its own: scoring comes from a tenant overlay, as a custom platform would ship it. */
    static final String POINTS_SCORE = "package overlay;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
            + "rule \"Points score\" when $f : Fact(type == \"points.earned\") then outcomes.score(\"performance\", $f.num(\"points\")); end\n";

    static void scoreRules(Tenant t) { scoreRules(t, POINTS_SCORE); }

    /** Uploads and activates {@code drl} as the tenant's version 1. */
    static void scoreRules(Tenant t, String drl) {
        assertThat(app.upload("/api/v1/rulesets/" + t.id + "/versions", t.admin, java.util.Map.of("s.drl", TestServer.text(drl)), null).status()).isEqualTo(201);
        assertThat(app.post("/api/v1/rulesets/" + t.id + "/versions/1/activate", t.admin, "").status()).isEqualTo(200);
    }

    static void points(Tenant t, String user, int points, String occurredAt) {
        Response r = app.post("/api/v1/facts", t.ingest, "{\"id\":\"p-" + n.incrementAndGet() + "\",\"tenant_id\":\"" + t.id + "\",\"user_id\":\"" + user
                + "\",\"type\":\"points.earned\",\"attributes\":{\"points\":" + points + "}" + (occurredAt == null ? "" : ",\"occurred_at\":\"" + occurredAt + "\"") + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static JsonNode board(Tenant reader, String query) {
        Response r = app.get("/api/v1/gamification/leaderboards?" + query, reader.viewer);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static List<String> names(JsonNode board) {
        List<String> out = new ArrayList<>();
        board.get("leaderboard_data").forEach(row -> out.add(row.get("display_name").asText()));
        return out;
    }

    @Test
    void shouldAddAFactsScoresPerBoardInOneEntryKeepingEachRulesShare() throws Exception {
        String platform = platform();
        Tenant t = tenant(platform, "retail");
        scoreRules(t, POINTS_SCORE + "rule \"Bonus score\" when Fact(type == \"points.earned\") then outcomes.score(\"performance\", 1); end\n");
        points(t, "solo", 5, null);
        points(t, "solo", 7, null);

        try (var c = app.ownerConnection(); var st = c.prepareStatement("SELECT l.leaderboard_key, e.score, e.score_data::text FROM leaderboard_entries e "
                + "JOIN leaderboards l ON l.id = e.leaderboard_id WHERE e.tenant_id = ?::uuid AND e.user_id = 'solo' ORDER BY 1")) {
            st.setString(1, t.id);
            var rs = st.executeQuery();
            List<String> keys = new ArrayList<>();
            while (rs.next()) {
                keys.add(rs.getString(1));
                assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("14");
                JsonNode shares = new com.fasterxml.jackson.databind.ObjectMapper().readTree(rs.getString(3));
                assertThat(shares.get("Points score").decimalValue()).isEqualByComparingTo("12");
                assertThat(shares.get("Bonus score").decimalValue()).isEqualByComparingTo("2");
            }
            // Every board fed by "performance": one entry each, however many rules scored on it.
            assertThat(keys).containsExactly("all-time", "industry", "performance");
        }
    }

    @Test
    void shouldShowAPlatformsPublicBoardsToAnyoneWithoutTenantIdsAndNothingElse() throws Exception {
        String platform = platform();
        Tenant a = tenant(platform, "retail");
        Tenant b = tenant(platform, "retail");
        scoreRules(a);
        scoreRules(b);
        points(a, "amy", 7, null);
        points(b, "bob", 3, null);
        app.send("PUT", "/api/v1/tenants/" + b.id + "/leaderboard-privacy", b.admin, "application/json",
                "{\"opted_in\":true,\"display_name\":\"Bob's Bikes\"}");

        Response open = app.get("/api/v1/public/leaderboards/" + platform + "/performance?limit=10", null);
        assertThat(open.status()).as(open.body()).isEqualTo(200);
        assertThat(open.header("Cache-Control")).contains("max-age=5");
        assertThat(open.json().get("leaderboard_data").findValuesAsText("score")).containsExactly("7.0", "3.0");
        assertThat(names(open.json()).get(0)).startsWith("Player ");
        assertThat(names(open.json()).get(1)).isEqualTo("Bob's Bikes · bob");
        assertThat(open.body()).doesNotContain(a.id).doesNotContain(b.id).doesNotContain("\"amy\"");
        assertThat(open.json().get("user_position").isNull()).isTrue();

        // A tenant's own board, even a public one, and the opt-in industry board are not there; nor is another platform's name.
        Response own = app.post("/api/v1/tenants/" + a.id + "/leaderboards", a.admin,
                "{\"key\":\"shop-floor\",\"name\":\"Shop floor\",\"source\":\"performance\",\"visibility\":\"public\"}");
        assertThat(own.status()).as(own.body()).isEqualTo(201);
        assertThat(app.get("/api/v1/public/leaderboards/" + platform + "/shop-floor", null).status()).isEqualTo(404);
        assertThat(app.get("/api/v1/public/leaderboards/" + platform + "/industry", null).status()).isEqualTo(404);
        assertThat(app.get("/api/v1/public/leaderboards/noplatform/performance", null).status()).isEqualTo(404);
        Response bad = app.get("/api/v1/public/leaderboards/" + platform + "/performance?limit=1000", null);
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("errors").get(0).get("field").asText()).isEqualTo("limit");
        assertThat(app.get("/api/v1/public/leaderboards/Bad%20Name/performance", null).status()).isEqualTo(422);
    }

    @Test
    void shouldRankByScoreThenWhoReachedItFirstWithPseudonymsUntilOptIn() throws Exception {
        String platform = platform();
        Tenant a = tenant(platform, "retail");
        Tenant b = tenant(platform, "retail");
        scoreRules(a);
        scoreRules(b);
        points(a, "amy", 5, null);
        points(b, "bob", 3, null);
        points(b, "bea", 5, null); // ties with amy, later
        points(a, "amy", 1, null);  // amy 6

        JsonNode top = board(a, "leaderboard_type=performance&time_period=weekly&limit=10&user_id=amy");
        assertThat(top.get("leaderboard_data").findValuesAsText("score")).containsExactly("6.0", "5.0", "3.0");
        assertThat(top.get("leaderboard_data").get(0).get("is_you").asBoolean()).isTrue();
        assertThat(top.get("user_position").get("rank").asInt()).isEqualTo(1);
        assertThat(names(top)).allMatch(name -> name.startsWith("Player "));
        assertThat(top.get("next_update").asText()).isNotEmpty();

        // bea's 5 ties amy's earlier 5? amy moved on to 6; now amy gets a tie-maker to test the order.
        points(b, "bob", 2, null); // bob 5, reached after bea
        JsonNode tied = board(a, "leaderboard_type=performance&limit=10");
        List<JsonNode> rows = new ArrayList<>();
        tied.get("leaderboard_data").forEach(rows::add);
        assertThat(rows.get(1).get("score").asDouble()).isEqualTo(rows.get(2).get("score").asDouble());
        assertThat(rows.get(1).get("score_reached_at").asText()).isLessThan(rows.get(2).get("score_reached_at").asText());

        Response optIn = app.send("PUT", "/api/v1/tenants/" + b.id + "/leaderboard-privacy", b.admin, "application/json",
                "{\"opted_in\":true,\"display_name\":\"Bee Co\"}");
        assertThat(optIn.status()).isEqualTo(200);
        assertThat(names(board(a, "leaderboard_type=performance&limit=10"))).contains("Bee Co · bea", "Bee Co · bob");
    }

    @Test
    void shouldKeepPastPeriodsQueryableAndShowRankChanges() throws Exception {
        String platform = platform();
        Tenant a = tenant(platform, "retail");
        scoreRules(a);
        points(a, "u1", 10, "2026-11-10T12:00:00Z"); // ISO week 46
        points(a, "u2", 20, "2026-11-10T12:00:00Z");
        points(a, "u1", 30, "2026-11-17T12:00:00Z"); // week 47
        points(a, "u2", 5, "2026-11-17T12:00:00Z");

        JsonNode w46 = board(a, "leaderboard_type=performance&period=2026-W46");
        assertThat(w46.get("leaderboard_data").findValuesAsText("score")).containsExactly("20.0", "10.0");
        JsonNode w47 = board(a, "leaderboard_type=performance&period=2026-W47");
        assertThat(w47.get("leaderboard_data").findValuesAsText("score")).containsExactly("30.0", "5.0");
        assertThat(w47.get("leaderboard_data").get(0).get("rank_change").asInt()).isEqualTo(1);
        assertThat(w47.get("rank_changes")).hasSize(2);

        JsonNode allTime = board(a, "leaderboard_type=performance&time_period=all_time");
        assertThat(allTime.get("leaderboard_data").findValuesAsText("score")).containsExactly("40.0", "25.0");
    }

    @Test
    void shouldPageOnAndShowTheRowsAroundASubjectAtTheTopAndTheBottom() throws Exception {
        String platform = platform();
        Tenant a = tenant(platform, "retail");
        scoreRules(a);
        for (int i = 1; i <= 9; i++) points(a, "p" + i, i * 10, null); // p9 first ... p1 last

        JsonNode page2 = board(a, "leaderboard_type=performance&limit=3&after_rank=3");
        assertThat(page2.get("leaderboard_data").findValuesAsText("rank")).containsExactly("4", "5", "6");
        JsonNode middle = board(a, "leaderboard_type=performance&around=2&user_id=p5");
        assertThat(middle.get("leaderboard_data").findValuesAsText("score")).containsExactly("70.0", "60.0", "50.0", "40.0", "30.0");
        JsonNode top = board(a, "leaderboard_type=performance&around=2&user_id=p9");
        assertThat(top.get("leaderboard_data").findValuesAsText("rank")).containsExactly("1", "2", "3");
        JsonNode bottom = board(a, "leaderboard_type=performance&around=2&user_id=p1");
        assertThat(bottom.get("leaderboard_data").findValuesAsText("rank")).containsExactly("7", "8", "9");
        assertThat(app.get("/api/v1/gamification/leaderboards?leaderboard_type=performance&around=2&user_id=nobody", a.viewer).status()).isEqualTo(404);
    }

    /** Reads an SSE stream on a thread of its own; lines go into a queue. */
    static java.util.concurrent.BlockingQueue<String> stream(Tenant reader, String platform, String lastEventId) {
        var lines = new java.util.concurrent.LinkedBlockingQueue<String>();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.baseUrl() + "/api/v1/gamification/leaderboards/performance/stream?platform=" + platform))
                .header("Authorization", "Bearer " + reader.viewer).header("Accept", "text/event-stream");
        if (lastEventId != null) request.header("Last-Event-ID", lastEventId);
        java.net.http.HttpClient.newHttpClient().sendAsync(request.build(), java.net.http.HttpResponse.BodyHandlers.ofLines())
                .thenAccept(r -> r.body().forEach(lines::add));
        return lines;
    }

    static List<String> eventsUntil(java.util.concurrent.BlockingQueue<String> lines, String needle) throws Exception {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (line == null) continue;
            seen.add(line);
            if (line.contains(needle)) return seen;
        }
        throw new AssertionError("no '" + needle + "' within 5 s; saw " + seen);
    }

    @Test
    void shouldStreamRankChangesWithOvertakenAndRecordThemAsEvents() throws Exception {
        String platform = platform();
        Tenant a = tenant(platform, "retail");
        Tenant b = tenant(platform, "retail");
        scoreRules(a);
        scoreRules(b);
        points(a, "ann", 5, null);
        var lines = stream(a, platform, null);
        Thread.sleep(300); // the subscription is registered
        long t0 = System.nanoTime();
        points(b, "ben", 10, null);
        List<String> seen = eventsUntil(lines, "\"overtaken\":[\"Player");
        System.out.printf("rank change streamed %d ms after the fact was posted%n", (System.nanoTime() - t0) / 1_000_000);
        String id = seen.stream().filter(l -> l.startsWith("id:")).reduce((x, y) -> y).orElseThrow().substring(3).trim();
        assertThat(seen).anyMatch(l -> l.equals("event: rank_changed"));

        // One event per board for ben's fact, naming whom it overtook inside (ann is of another
        // tenant: by pseudonym only); the overtaken get no rows of their own.
        try (var c = app.ownerConnection(); var ps = c.prepareStatement("SELECT count(*) FILTER (WHERE tenant_id = ?::uuid AND subject = 'ben' "
                + "AND data->'overtaken'->0->>'display_name' LIKE 'Player %' AND (data->>'overtaken_count')::int = 1), "
                + "count(*) FILTER (WHERE tenant_id = ?::uuid AND subject = 'ann'), "
                + "count(*) FILTER (WHERE tenant_id = ?::uuid AND subject = 'ben') "
                + "FROM events WHERE type = 'leaderboard.rank_changed'")) {
            ps.setString(1, b.id);
            ps.setString(2, a.id);
            ps.setString(3, b.id);
            try (var rs = ps.executeQuery()) {
                rs.next();
                // Passed on the two public boards fed by performance: this week's and all-time.
                assertThat(rs.getLong(1)).isEqualTo(2);
                assertThat(rs.getLong(3)).isEqualTo(2);
                // ann's own first score was a rank change of hers; being overtaken adds nothing.
                assertThat(rs.getLong(2)).isEqualTo(2);
            }
        }

        // A client that reconnects with Last-Event-ID gets what it missed.
        points(a, "ann", 20, null);
        var resumed = stream(a, platform, id);
        assertThat(eventsUntil(resumed, "\"rank\":1")).anyMatch(l -> l.contains("\"previous_rank\":2"));
    }

    @Test
    void shouldRollOverAtMidnightInTheBoardsTimeZoneAndKeepEachSubjectsHistory() throws Exception {
        String platform = platform();
        try (var c = app.ownerConnection()) {
            c.createStatement().execute("INSERT INTO leaderboards (leaderboard_key, leaderboard_name, platform, leaderboard_type, scoring_criteria, "
                    + "time_period, time_zone, visibility) VALUES ('tokyo-daily', 'Tokyo today', '" + platform + "', 'platform', "
                    + "'{\"source\": \"performance\"}', 'daily', 'Asia/Tokyo', 'public')");
        }
        Tenant a = tenant(platform, "retail");
        scoreRules(a);
        points(a, "kei", 4, "2026-11-24T14:59:00Z"); // 23:59 on the 24th in Tokyo
        points(a, "kei", 6, "2026-11-24T15:01:00Z"); // 00:01 on the 25th in Tokyo
        assertThat(board(a, "leaderboard_type=tokyo-daily&period=2026-11-24").get("leaderboard_data").findValuesAsText("score")).containsExactly("4.0");
        assertThat(board(a, "leaderboard_type=tokyo-daily&period=2026-11-25").get("leaderboard_data").findValuesAsText("score")).containsExactly("6.0");

        Response history = app.get("/api/v1/gamification/leaderboards/tokyo-daily/history?user_id=kei", a.viewer);
        assertThat(history.status()).as(history.body()).isEqualTo(200);
        assertThat(history.json().get("history").findValuesAsText("period")).containsExactly("2026-11-25", "2026-11-24");
        assertThat(history.json().get("history").findValuesAsText("rank")).containsOnly("1");
    }

    @Test
    void shouldScoreByANewWeightAsSoonAsItsVersionIsActiveAndHonourOptOut() throws Exception {
        String platform = platform();
        Tenant a = tenant(platform, "retail");
        scoreRules(a);
        points(a, "w", 5, null);
        String doubled = "package overlay;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
                + "rule \"Points score\" when $f : Fact(type == \"points.earned\") then outcomes.score(\"performance\", 2 * $f.num(\"points\")); end\n";
        app.upload("/api/v1/rulesets/" + a.id + "/versions", a.admin, java.util.Map.of("s.drl", TestServer.text(doubled)), "weight 2");
        assertThat(app.post("/api/v1/rulesets/" + a.id + "/versions/2/activate", a.admin, "").status()).isEqualTo(200);
        points(a, "w", 5, null);
        assertThat(board(a, "leaderboard_type=performance&user_id=w").get("user_position").get("score").asDouble()).isEqualTo(15.0);

        app.send("PUT", "/api/v1/tenants/" + a.id + "/leaderboard-privacy", a.admin, "application/json", "{\"opted_in\":true,\"display_name\":\"Shown\"}");
        assertThat(names(board(a, "leaderboard_type=performance"))).containsExactly("Shown · w");
        app.send("PUT", "/api/v1/tenants/" + a.id + "/leaderboard-privacy", a.admin, "application/json", "{\"opted_in\":false}");
        assertThat(names(board(a, "leaderboard_type=performance"))).allMatch(n -> n.startsWith("Player "));
        assertThat(board(a, "leaderboard_type=industry").get("leaderboard_data")).isEmpty();
    }

    @Test
    void shouldKeepAPrivateBoardToItsTenant() throws Exception {
        String platform = platform();
        Tenant owner = tenant(platform, "retail");
        Tenant other = tenant(platform, "retail");
        scoreRules(owner);
        Response created = app.post("/api/v1/tenants/" + owner.id + "/leaderboards", owner.admin,
                "{\"key\":\"team\",\"name\":\"Our team\",\"source\":\"performance\",\"time_period\":\"monthly\",\"time_zone\":\"Europe/Berlin\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("visibility").asText()).isEqualTo("private");
        points(owner, "lea", 8, null);
        JsonNode team = board(owner, "leaderboard_type=team");
        assertThat(names(team)).hasSize(1).allMatch(n -> n.endsWith("· lea"));
        assertThat(app.get("/api/v1/gamification/leaderboards?leaderboard_type=team", other.viewer).status()).isEqualTo(422);
        Response bad = app.post("/api/v1/tenants/" + owner.id + "/leaderboards", owner.admin,
                "{\"key\":\"Team!\",\"name\":\"\",\"source\":\"performance\",\"time_zone\":\"Mars/Olympus\",\"visibility\":\"secret\"}");
        assertThat(bad.json().get("errors").findValuesAsText("field")).contains("key", "name", "time_zone", "visibility");
        assertThat(app.post("/api/v1/tenants/" + owner.id + "/leaderboards", owner.admin,
                "{\"key\":\"team\",\"name\":\"Again\",\"source\":\"performance\"}").status()).isEqualTo(409);
        assertThat(app.post("/api/v1/tenants/" + owner.id + "/leaderboards", owner.admin,
                "{\"key\":\"performance\",\"name\":\"Shadow\",\"source\":\"performance\"}").status()).isEqualTo(409);
    }

    @Test
    void shouldShowAnIndustryBoardOnlyToOptedInTenantsOfTheIndustry() throws Exception {
        String platform = platform();
        Tenant shop = tenant(platform, "retail");
        Tenant otherShop = tenant(platform, "retail");
        Tenant bank = tenant(platform, "finance");
        for (Tenant t : List.of(shop, otherShop, bank)) {
            scoreRules(t);
            points(t, "u", 7, null);
            app.send("PUT", "/api/v1/tenants/" + t.id + "/leaderboard-privacy", t.admin, "application/json", "{\"opted_in\":" + (t != otherShop) + "}");
        }
        JsonNode industry = board(shop, "leaderboard_type=industry");
        assertThat(industry.get("leaderboard_data")).hasSize(1);
        assertThat(industry.get("leaderboard_data").get(0).get("is_you").asBoolean()).isTrue();
    }

    @Test
    void shouldRefuseBadQueriesNamingTheParameter() throws Exception {
        Tenant t = tenant(platform(), "retail");
        Response period = app.get("/api/v1/gamification/leaderboards?leaderboard_type=performance&time_period=yearly", t.viewer);
        assertThat(period.status()).isEqualTo(422);
        assertThat(period.json().get("errors").get(0).get("field").asText()).isEqualTo("time_period");
        assertThat(app.get("/api/v1/gamification/leaderboards?limit=0", t.viewer).json().get("errors").get(0).get("field").asText()).isEqualTo("limit");
        assertThat(app.get("/api/v1/gamification/leaderboards?period=last-week", t.viewer).status()).isEqualTo(422);
        assertThat(app.get("/api/v1/gamification/leaderboards?leaderboard_type=nope", t.viewer).status()).isEqualTo(422);
        Tenant other = tenant(platform(), "retail");
        assertThat(app.send("PUT", "/api/v1/tenants/" + t.id + "/leaderboard-privacy", other.admin, "application/json", "{\"opted_in\":true}").status())
                .isEqualTo(403);
    }
}
