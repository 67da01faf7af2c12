package dev.thrillring.bench;

import dev.thrillring.app.Config;
import dev.thrillring.app.Server;
import dev.thrillring.support.TestServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * A 30-day analytics answer for a tenant with N decided facts (1,000,000 by default) spread over
 * 90 days and 20,000 users, with unlocks, board entries, referral codes, clicks and conversions,
 * read over HTTP; against {@code GET /health} on the same server in the same run as the baseline.
 * The facts are loaded with one INSERT ... generate_series and the rollup is filled by the same
 * statements migrations V170 and V174 use (what the decision listener writes fact by fact).
 *
 * <pre>./mvnw -Pbench test-compile exec:exec -Dbench=dev.thrillring.bench.AnalyticsBench -Dbench.args="1000000"</pre>
 */
public final class AnalyticsBench {

    public static void main(String[] args) throws Exception {
        int facts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int users = 20_000;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Config config = new Config("127.0.0.1", 0, TestServer.tempDir(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(TestServer.ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, 4, 100, false,
                "http://127.0.0.1:7070", Set.of(), 100_000, 100_000, 100_000);
        try (Server server = Server.start(config);
             Connection owner = DriverManager.getConnection(server.database().jdbcUrl(), "postgres", "")) {
            TestServer app = TestServer.wrap(server);
            WrkIngestionBench.sameSchedulingGroup(config.dataDir().resolve("postgres"));
            String tenant = app.createTenant("Analytics scale", "bizosaas");
            String analyst = app.issueKey(tenant, "analyst");
            String admin = app.issueKey(tenant, "tenant_admin");
            app.post("/api/v1/gamification/referral/generate-code", admin, "{\"tenant_id\":\"" + tenant + "\",\"referrer_user_id\":\"u1\"}");
            long t0 = System.nanoTime();
            var st = owner.createStatement();
            st.execute("INSERT INTO facts (tenant_id, fact_id, user_id, type, occurred_at, attributes, payload_hash) "
                    + "SELECT '" + tenant + "', 'f' || g, 'u' || (g % " + users + "), 'points.earned', now() - ((g % 90) || ' days')::interval "
                    + "- ((g % 86400) || ' seconds')::interval, '{}', md5(g::text) FROM generate_series(1, " + facts + ") g");
            st.execute("INSERT INTO analytics_user_days (tenant_id, user_id, day, facts) SELECT tenant_id, user_id, (occurred_at AT TIME ZONE 'UTC')::date, "
                    + "count(*) FROM facts WHERE tenant_id = '" + tenant + "' GROUP BY 1, 2, 3");
            // First day, last day and the 128 days up to it, as V174 fills them from the user days.
            st.execute("INSERT INTO analytics_user_first_days (tenant_id, user_id, first_day, last_day, recent) "
                    + "SELECT d.tenant_id, d.user_id, l.first_day, l.last_day, bit_or(lpad('1', 128, '0')::bit(128) << (l.last_day - d.day)) "
                    + "FROM analytics_user_days d JOIN (SELECT user_id, min(day) AS first_day, max(day) AS last_day FROM analytics_user_days "
                    + "WHERE tenant_id = '" + tenant + "' GROUP BY 1) l ON l.user_id = d.user_id "
                    + "WHERE d.tenant_id = '" + tenant + "' AND l.last_day - d.day < 128 GROUP BY 1, 2, 3, 4");
            st.execute("INSERT INTO tenant_achievements (tenant_id, user_id, achievement_id, unlocked_at, completion_percentage) "
                    + "SELECT '" + tenant + "', 'u' || g, a.id, now() - ((g % 60) || ' days')::interval, 100 FROM generate_series(1, " + users / 3 + ") g "
                    + "CROSS JOIN LATERAL (SELECT id FROM achievements WHERE platform = 'bizosaas' AND tenant_id IS NULL ORDER BY id OFFSET (g % 5) LIMIT 1) a");
            st.execute("INSERT INTO leaderboard_entries (leaderboard_id, period_key, tenant_id, user_id, score, score_reached_at) "
                    + "SELECT b.id, to_char(current_date - d, 'YYYY-MM-DD'), '" + tenant + "', 'u' || g, g, now() FROM generate_series(1, " + users / 2 + ") g "
                    + "CROSS JOIN generate_series(0, 29) d CROSS JOIN (SELECT id FROM leaderboards WHERE platform = 'bizosaas' AND leaderboard_key = 'performance' "
                    + "AND tenant_id IS NULL) b WHERE (g + d) % 3 = 0");
            // The days each user scored, as V201 fills them from the daily board entries.
            st.execute("WITH s AS (SELECT f.tenant_id, f.user_id, bit_or(lpad('1', 128, '0')::bit(128) << (f.last_day - e.period_key::date)) AS bits "
                    + "FROM analytics_user_first_days f JOIN leaderboard_entries e ON e.tenant_id = f.tenant_id AND e.user_id = f.user_id "
                    + "WHERE f.tenant_id = '" + tenant + "' AND e.period_key ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' "
                    + "AND f.last_day - e.period_key::date BETWEEN 0 AND 127 GROUP BY 1, 2) "
                    + "UPDATE analytics_user_first_days f SET scored = s.bits FROM s WHERE s.tenant_id = f.tenant_id AND s.user_id = f.user_id");
            st.execute("INSERT INTO referral_codes (tenant_id, code, referrer_tenant_id, referrer_user_id, program_id, created_at) "
                    + "SELECT tenant_id, 'BENCH' || g, tenant_id, 'u' || g, program_id, now() - ((g % 80) || ' days')::interval "
                    + "FROM generate_series(1, 2000) g CROSS JOIN (SELECT tenant_id, program_id FROM referral_codes WHERE tenant_id = '" + tenant + "' LIMIT 1) p");
            st.execute("INSERT INTO referral_clicks (tenant_id, referral_code_id, ip_address, device_fingerprint, clicked_at) "
                    + "SELECT c.tenant_id, c.id, '10.0.' || (g % 250) || '.' || (g % 200), 'd' || g, now() - ((g % 60) || ' days')::interval "
                    + "FROM generate_series(1, 20000) g JOIN referral_codes c ON c.tenant_id = '" + tenant + "' AND c.code = 'BENCH' || (1 + g % 2000)");
            st.execute("INSERT INTO referral_conversions (tenant_id, referral_code_id, program_id, referee_tenant_id, referee_user_id, conversion_type, status, created_at) "
                    + "SELECT c.tenant_id, c.id, c.program_id, c.tenant_id, 'r' || g, 'signup', (ARRAY['approved','pending_review','rejected'])[1 + g % 3], "
                    + "now() - ((g % 60) || ' days')::interval FROM generate_series(1, 1500) g JOIN referral_codes c ON c.tenant_id = '" + tenant
                    + "' AND c.code = 'BENCH' || (1 + g % 2000)");
            st.execute("ANALYZE");
            long loadMs = (System.nanoTime() - t0) / 1_000_000;
            long rollup;
            try (var rs = st.executeQuery("SELECT count(*) FROM analytics_user_days WHERE tenant_id = '" + tenant + "'")) {
                rs.next();
                rollup = rs.getLong(1);
            }
            HttpClient http = HttpClient.newHttpClient();
            String base = app.baseUrl();
            double[] health = measure(http, base + "/health", null, 100);
            double[] analytics = measure(http, base + "/api/v1/gamification/analytics/" + tenant + "?time_period=30d", analyst, requests);
            System.out.printf("| measure (%d facts, %d users, %d rollup rows; load %d s) | p50 | p95 | p99 | max |%n", facts, users, rollup, loadMs / 1000);
            System.out.println("|---|---|---|---|---|");
            System.out.printf("| baseline: GET /health | %.2f ms | %.2f ms | %.2f ms | %.2f ms |%n", health[0], health[1], health[2], health[3]);
            System.out.printf("| GET /api/v1/gamification/analytics/{tenant}?time_period=30d | %.1f ms | %.1f ms | %.1f ms | %.1f ms |%n",
                    analytics[0], analytics[1], analytics[2], analytics[3]);
            // The answer's board participation against a count straight from the daily board entries (the pre-V201 formula).
            HttpResponse<String> one = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/gamification/analytics/" + tenant + "?time_period=30d"))
                    .header("Authorization", "Bearer " + analyst).build(), HttpResponse.BodyHandlers.ofString());
            var board = dev.thrillring.web.Json.mapper().readTree(one.body()).path("engagement_metrics").path("leaderboard_participation");
            try (var rs = st.executeQuery("SELECT count(DISTINCT user_id) FROM leaderboard_entries WHERE tenant_id = '" + tenant + "' AND period_key ~ "
                    + "'^[0-9]{4}-[0-9]{2}-[0-9]{2}$' AND period_key::date BETWEEN (now() AT TIME ZONE 'UTC')::date - 29 AND (now() AT TIME ZONE 'UTC')::date")) {
                rs.next();
                System.out.printf("board participation in the answer: %s of %s active users; distinct users with a daily board entry in the window: %d%n",
                        board.path("numerator").asText(), board.path("denominator").asText(), rs.getLong(1));
            }
            if (System.getenv("BENCH_HOLD") != null) {
                System.out.println("HOLD " + server.database().jdbcUrl() + " tenant " + tenant + " analyst " + analyst + " base " + base);
                Thread.sleep(Long.parseLong(System.getenv("BENCH_HOLD")) * 1000);
            }
        }
    }

    /** p50, p95, p99 and max in ms of {@code n} sequential GETs after 10 warm-up requests. */
    static double[] measure(HttpClient http, String url, String key, int n) throws Exception {
        double[] ms = new double[n];
        for (int i = -10; i < n; i++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
            if (key != null) b.header("Authorization", "Bearer " + key);
            long t = System.nanoTime();
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
            if (i >= 0) ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return new double[]{ms[n / 2], ms[(int) Math.ceil(n * 0.95) - 1], ms[(int) Math.ceil(n * 0.99) - 1], ms[n - 1]};
    }
}
