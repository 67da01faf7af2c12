package dev.thrillring.bench;

import dev.thrillring.app.Config;
import dev.thrillring.app.Server;
import dev.thrillring.support.TestServer;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * How today's database-computed standings scale: one board period with N entries (1,000,000 by
 * default), read top-100 through {@code leaderboard_standings} (ranks for the whole bucket, privacy
 * applied) and a subject's rank by counting better entries, against a plain top-100 query on the
 * same table in the same run as the baseline. Since V200 no index orders entries by score (ranks
 * come from the in-memory rank index, and score updates stay heap-only), so that baseline is a
 * top-N sort of the board period, no longer an index-only read.
 *
 * <pre>./mvnw -Pbench test-compile exec:exec -Dbench=dev.thrillring.bench.LeaderboardScaleBench -Dbench.args="1000000"</pre>
 */
public final class LeaderboardScaleBench {

    public static void main(String[] args) throws Exception {
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Config config = new Config("127.0.0.1", 0, TestServer.tempDir(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(TestServer.ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, 4, 100, false,
                "http://127.0.0.1:7070", Set.of(), 100_000, 100_000, 100_000);
        try (Server server = Server.start(config);
             Connection owner = DriverManager.getConnection(server.database().jdbcUrl(), "postgres", "")) {
            String tenant = TestServer.wrap(server).createTenant("Scale", "bizosaas");
            String board;
            try (ResultSet rs = owner.createStatement().executeQuery(
                    "SELECT id FROM leaderboards WHERE platform = 'bizosaas' AND leaderboard_key = 'performance' AND tenant_id IS NULL")) {
                rs.next();
                board = rs.getString(1);
            }
            long t0 = System.nanoTime();
            owner.createStatement().execute("INSERT INTO leaderboard_entries (leaderboard_id, period_key, tenant_id, user_id, score, score_reached_at) "
                    + "SELECT '" + board + "', '2026-W48', '" + tenant + "', 'u' || g, (random() * 100000)::int, now() - (g || ' seconds')::interval "
                    + "FROM generate_series(1, " + entries + ") g");
            owner.createStatement().execute("ANALYZE leaderboard_entries");
            long loadMs = (System.nanoTime() - t0) / 1_000_000;

            try (Connection app = DriverManager.getConnection(server.database().jdbcUrl(), "thrillring_app", "")) {
                app.createStatement().execute("SELECT set_config('app.tenant_id', '" + tenant + "', false)");
                double baseline = median(app, "SELECT user_id, score FROM leaderboard_entries WHERE leaderboard_id = '" + board
                        + "' AND period_key = '2026-W48' ORDER BY score DESC, score_reached_at LIMIT 100");
                double top = median(app, "SELECT * FROM leaderboard_standings('" + board + "', '2026-W48', NULL) ORDER BY rank LIMIT 100");
                double myRank = median(app, "SELECT 1 + count(*) FROM leaderboard_entries WHERE leaderboard_id = '" + board
                        + "' AND period_key = '2026-W48' AND score > (SELECT score FROM leaderboard_entries WHERE leaderboard_id = '" + board
                        + "' AND period_key = '2026-W48' AND user_id = 'u500000')");
                System.out.println("| measure (" + entries + " entries in one board period) | median of 7 |");
                System.out.println("|---|---|");
                System.out.printf("| load (INSERT ... generate_series) | %d ms |%n", loadMs);
                System.out.printf("| baseline: plain top-100 query by score (top-N sort of the bucket since V200) | %.2f ms |%n", baseline);
                System.out.printf("| top-100 through leaderboard_standings (ranks + privacy for the whole bucket) | %.1f ms (%.0f× the baseline) |%n", top, top / baseline);
                System.out.printf("| a middle subject's rank by counting better entries | %.1f ms (%.0f× the baseline) |%n", myRank, myRank / baseline);

                // The service's path: the in-memory rank index, through HTTP.
                var client = TestServer.wrap(server);
                String viewer = client.issueKey(tenant, "viewer");
                long b0 = System.nanoTime();
                var first = client.get("/api/v1/gamification/leaderboards?leaderboard_type=performance&limit=100", viewer);
                long buildMs = (System.nanoTime() - b0) / 1_000_000;
                if (first.status() != 200) throw new IllegalStateException(first.body());
                double[] topMs = new double[200];
                double[] around = new double[200];
                double[] health = new double[200];
                for (int i = 0; i < 200; i++) {
                    // Baseline in the same loop: the cheapest route, through the same client, server and machine.
                    long h = System.nanoTime();
                    client.get("/health", null);
                    health[i] = (System.nanoTime() - h) / 1e6;
                    long t = System.nanoTime();
                    client.get("/api/v1/gamification/leaderboards?leaderboard_type=performance&limit=100", viewer);
                    topMs[i] = (System.nanoTime() - t) / 1e6;
                    t = System.nanoTime();
                    client.get("/api/v1/gamification/leaderboards?leaderboard_type=performance&around=5&user_id=u" + (1 + i * 4999), viewer);
                    around[i] = (System.nanoTime() - t) / 1e6;
                }
                Arrays.sort(topMs);
                Arrays.sort(around);
                Arrays.sort(health);
                System.out.printf("| first read: rank index built from PostgreSQL | %d ms |%n", buildMs);
                System.out.printf("| baseline: HTTP GET /health, p50 / p99 of 200 | %.2f / %.2f ms |%n", health[100], health[197]);
                System.out.printf("| HTTP top-100 from the rank index, p50 / p99 of 200 | %.2f / %.2f ms |%n", topMs[100], topMs[197]);
                System.out.printf("| HTTP around-me (11 rows, my rank, previous-period rank) p50 / p99 of 200 | %.2f / %.2f ms |%n", around[100], around[197]);
            }
            // Index updates alone, as score writes apply them: random subjects, random new scores.
            java.util.List<dev.thrillring.leaderboards.RankIndexProbe.Row> rows = new java.util.ArrayList<>();
            java.util.Random rnd = new java.util.Random(1);
            java.util.UUID t = java.util.UUID.fromString(tenant);
            for (int i = 1; i <= entries; i++) rows.add(new dev.thrillring.leaderboards.RankIndexProbe.Row(t, "u" + i, rnd.nextInt(100_000), i));
            double perSecond = dev.thrillring.leaderboards.RankIndexProbe.updatesPerSecond(rows, 200_000, rnd);
            System.out.printf("| rank index updates (in process, 1 thread) | %.0f per second |%n", perSecond);
            double[] lat = dev.thrillring.leaderboards.RankIndexProbe.readLatencies(rows, 20_000, rnd);
            System.out.printf("| rank index top-100 (in process) p50 / p99 | %.1f / %.1f µs |%n", lat[0], lat[1]);
            System.out.printf("| rank index my-rank (in process) p50 / p99 | %.1f / %.1f µs |%n", lat[2], lat[3]);
        }
        System.exit(0);
    }

    static double median(Connection c, String sql) throws Exception {
        double[] ms = new double[7];
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.executeQuery().close();
            for (int i = 0; i < ms.length; i++) {
                long t = System.nanoTime();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) { /* read every row */ }
                }
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }
}
