package dev.thrillring.bench;

import dev.thrillring.app.Config;
import dev.thrillring.app.Server;
import dev.thrillring.support.TestServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fact ingestion under external load: {@code wrk} (a separate process, Lua script
 * {@code src/test/resources/bench/facts.lua}, a unique id for every fact) against the service,
 * and {@code pgbench -N} against the same embedded PostgreSQL, in one run. Phases, each bounded
 * by {@code seconds}: warm-up, single facts at {@code connections}, 1,000-fact batches, pgbench
 * at {@code connections}, then both at half of the single-fact peak.
 *
 * <pre>apt-get install wrk postgresql-client
 * ./mvnw -Pbench test-compile exec:exec -Dbench=dev.thrillring.bench.WrkIngestionBench -Dbench.args="16 20"</pre>
 */
public final class WrkIngestionBench {
    private static final Pattern RESULT = Pattern.compile(
            "RESULT requests=(\\d+) errors=(\\d+) non2xx=(\\d+) seconds=([\\d.]+) p50_ms=([\\d.]+) p99_ms=([\\d.]+) max_ms=([\\d.]+)");

    record Wrk(long requests, long errors, long non2xx, double seconds, double p50, double p99, double max) {
        double perSecond(int factsPerRequest) { return (requests - non2xx - errors) * (double) factsPerRequest / seconds; }
    }

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path data = TestServer.tempDir();
        Config config = new Config("127.0.0.1", 0, data, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(TestServer.ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 16_777_216, connections, 1000, false,
                "http://127.0.0.1:7070", java.util.Set.of(), 1_000_000, 1_000_000, 1_000_000);
        Path script = Path.of("src/test/resources/bench/facts.lua").toAbsolutePath();
        try (Server server = Server.start(config)) {
            TestServer app = TestServer.wrap(server);
            sameSchedulingGroup(data.resolve("postgres"));
            String tenant = app.createTenant("Load", "coreldove");
            String key = app.issueKey(tenant, "ingest");
            String url = "http://127.0.0.1:" + server.port();
            Map<String, String> env = Map.of("TENANT", tenant, "KEY", key, "USERS", "1000");

            wrk(script, url, env, "warm", 1, connections, Math.min(seconds, 10), 0);
            drain(app, tenant, key, 1000);
            // Statistics for tables that grew from nothing during the warm-up, as a running database has
            // them: without, the plans cached on pooled connections (and the foreign-key checks) keep the
            // sequential scans chosen for empty tables, and every fact reads all facts so far.
            analyze(app);
            boolean statements = System.getProperty("thrillring.pg.settings", "").contains("pg_stat_statements");
            if (statements) resetStatements(app);
            Wrk single = wrk(script, url, env, "single", 1, connections, seconds, 0);
            if (statements) printStatements(app, "single facts");
            drain(app, tenant, key, 1000);
            if (statements) resetStatements(app);
            long before = decided(app, tenant);
            long t0 = System.nanoTime();
            Wrk batch = wrk(script, url, env, "batch", 1000, 4, seconds, 0);
            // What committed during the phase, counted in the database: wrk counts only the batches
            // whose answer came back inside it, and four 1,000-fact batches may all end after it.
            double batchDecided = (decided(app, tenant) - before) / ((System.nanoTime() - t0) / 1e9);
            // Facts of batches cut off when wrk stopped are still decided: wait, so the next phase runs alone.
            drain(app, tenant, key, 1000);
            if (statements) printStatements(app, "1,000-fact batches");
            Double pgbench = IngestionLoadBench.pgbench(server.database().jdbcUrl(), connections, seconds);
            double half = single.perSecond(1) / 2;
            // wrk has no fixed-rate mode: each connection pauses so that together they offer about half the peak.
            long pause = Math.max(1, Math.round(connections * 1000.0 / half));
            Wrk paced = wrk(script, url, env, "paced", 1, connections, seconds, pause);
            double[] pgPaced = pgbench == null ? null : IngestionLoadBench.pgbenchPaced(server.database().jdbcUrl(), connections, seconds, half);

            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            System.out.printf(Locale.ROOT, "| connections, seconds per phase | %d, %d |%n", connections, seconds);
            System.out.printf(Locale.ROOT, "| single facts per second (wrk, %d connections) | %.0f (p50 %.1f ms, p99 %.1f ms, %d non-2xx, %d socket errors) |%n",
                    connections, single.perSecond(1), single.p50, single.p99, single.non2xx, single.errors);
            System.out.printf(Locale.ROOT, "| facts per second in 1,000-fact batches (wrk, 4 connections) | %.0f answered in the phase (p50 %.0f ms, p99 %.0f ms per batch, %d non-2xx); %.0f decided in the phase (database) |%n",
                    batch.perSecond(1000), batch.p50, batch.p99, batch.non2xx, batchDecided);
            if (pgbench != null) {
                System.out.printf(Locale.ROOT, "| pgbench -N tps, %d clients, same server | %.0f |%n", connections, pgbench);
                System.out.printf(Locale.ROOT, "| ratio single facts/s : pgbench tps (target >= 0.8) | %.2f |%n", single.perSecond(1) / pgbench);
                System.out.printf(Locale.ROOT, "| ratio batch facts/s (decided in the phase) : pgbench tps (target >= 4) | %.2f |%n", batchDecided / pgbench);
            }
            System.out.printf(Locale.ROOT, "| at about half the single-fact peak (%.0f/s offered as a %d ms pause per connection; %.0f/s achieved) | p50 %.1f ms, p99 %.1f ms (target p99 < 25 ms) |%n",
                    half, pause, paced.perSecond(1), paced.p50, paced.p99);
            if (pgPaced != null) {
                System.out.printf(Locale.ROOT, "| pgbench -N -R %.0f, latency from schedule | p50 %.1f ms, p99 %.1f ms |%n", half, pgPaced[0], pgPaced[2]);
            }
        }
        System.exit(0);
    }

    /**
     * Waits until every fact posted so far is decided: posts one fact for each of the script's
     * users in one batch and waits for its answer. Facts of one subject are decided in arrival
     * order, so that answer comes only after every earlier fact of every user. (One fact alone
     * does not drain: its group may skip ahead of the facts of subjects that other groups hold.)
     */
    static void drain(TestServer app, String tenant, String key, int users) throws Exception {
        long t0 = System.nanoTime();
        for (int attempt = 0; attempt < 20; attempt++) {
            var facts = new java.util.ArrayList<Map<String, Object>>();
            for (int u = 0; u < users; u++) {
                facts.add(Map.of("id", "drain-" + System.nanoTime() + "-" + u, "tenant_id", tenant, "user_id", "u-" + u, "type", "order.shipped"));
            }
            try {
                var r = app.post("/api/v1/facts", key, dev.thrillring.web.Json.mapper().writeValueAsString(Map.of("facts", facts)));
                System.out.printf("drained in %d ms (%d)%n", (System.nanoTime() - t0) / 1_000_000, r.status());
                return;
            } catch (RuntimeException stillBusy) {
                // the client's timeout passed; the queue is still long (this batch stays queued behind it)
            }
        }
    }

    /**
     * The embedded PostgreSQL detaches into a session (a scheduling autogroup) of its own, so the
     * priority given to the bench's shell ({@code echo -20 > /proc/$$/autogroup}) does not reach
     * it. Gives the postmaster's group, which its backends share, the bench's own group niceness.
     * Linux only; elsewhere nothing happens.
     */
    static void sameSchedulingGroup(Path pgData) {
        try {
            String mine = Files.readString(Path.of("/proc/self/autogroup")).trim();
            int nice = Integer.parseInt(mine.substring(mine.lastIndexOf(' ') + 1));
            long postmaster = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).getFirst().trim());
            Files.writeString(Path.of("/proc/" + postmaster + "/autogroup"), Integer.toString(nice));
            System.out.println("embedded PostgreSQL (pid " + postmaster + ") scheduled at autogroup nice " + nice);
        } catch (Exception e) {
            System.out.println("embedded PostgreSQL keeps its own scheduling group: " + e);
        }
    }

    static void analyze(TestServer app) throws Exception {
        try (var c = app.ownerConnection(); var st = c.createStatement()) {
            st.execute("ANALYZE");
        }
    }

    /** Clears pg_stat_statements (run with -Dthrillring.pg.settings=shared_preload_libraries=pg_stat_statements). */
    static void resetStatements(TestServer app) throws Exception {
        try (var c = app.ownerConnection(); var st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            st.execute("SELECT pg_stat_statements_reset()");
        }
    }

    /** Where PostgreSQL spent the phase: the statements by total execution time, and the commits. */
    static void printStatements(TestServer app, String phase) throws Exception {
        String sql = """
                SELECT calls, round(total_exec_time::numeric, 0) AS total_ms, round(mean_exec_time::numeric, 2) AS mean_ms,
                       rows, shared_blks_hit + shared_blks_read AS blocks, wal_bytes,
                       regexp_replace(left(query, 160), '\\s+', ' ', 'g') AS query
                FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
                ORDER BY total_exec_time DESC LIMIT 25""";
        System.out.println("statements during " + phase + " (pg_stat_statements, by total execution time):");
        System.out.println("| calls | total ms | mean ms | rows | blocks | WAL bytes | statement |");
        System.out.println("|---|---|---|---|---|---|---|");
        try (var c = app.ownerConnection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            while (rs.next()) {
                System.out.printf(Locale.ROOT, "| %d | %s | %s | %d | %d | %s | `%s` |%n", rs.getLong(1), rs.getBigDecimal(2), rs.getBigDecimal(3),
                        rs.getLong(4), rs.getLong(5), rs.getString(6), rs.getString(7).replace("|", "\\|"));
            }
        }
    }

    /** The tenant's decisions so far. */
    static long decided(TestServer app, String tenant) throws Exception {
        try (var c = app.ownerConnection(); var ps = c.prepareStatement("SELECT count(*) FROM decisions WHERE tenant_id = ?::uuid")) {
            ps.setString(1, tenant);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static Wrk wrk(Path script, String url, Map<String, String> env, String run, int batch, int connections, int seconds, long pauseMs)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t", "2", "-c", Integer.toString(connections), "-d", seconds + "s",
                "--timeout", "30s", "-s", script.toString(), url).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("RUN", run + "-" + System.nanoTime());
        pb.environment().put("BATCH", Integer.toString(batch));
        pb.environment().put("DELAY_MS", Long.toString(pauseMs));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        Matcher m = RESULT.matcher(out);
        if (!m.find()) throw new IllegalStateException("wrk gave no result:\n" + out);
        Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "wrk-" + run + ".txt"), out);
        System.out.println("wrk " + run + ": " + m.group());
        return new Wrk(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Double.parseDouble(m.group(4)),
                Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6)), Double.parseDouble(m.group(7)));
    }
}
