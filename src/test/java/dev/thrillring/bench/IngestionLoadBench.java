package dev.thrillring.bench;

import dev.thrillring.app.Config;
import dev.thrillring.app.Server;
import dev.thrillring.support.TestServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end fact ingestion (HTTP, rules with the full achievement catalogue, PostgreSQL) against
 * {@code pgbench -N} on the same PostgreSQL, with the same number of clients, in one run. Bounded:
 * each phase runs for a fixed time and then stops.
 *
 * <pre>./mvnw -Pbench test-compile exec:exec -Dbench=dev.thrillring.bench.IngestionLoadBench -Dbench.args="16 20"</pre>
 * (clients, seconds per phase)
 */
public final class IngestionLoadBench {

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path data = TestServer.tempDir();
        Config config = new Config("127.0.0.1", 0, data, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(TestServer.ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, clients, 1000, false, "http://127.0.0.1:7070", java.util.Set.of(), 100_000, 100_000, 100_000);
        try (Server server = Server.start(config)) {
            TestServer app = new TestServerView(server).client();
            String tenant = app.createTenant("Load", "coreldove");
            String key = app.issueKey(tenant, "ingest");
            HttpClient http = HttpClient.newBuilder().build();
            String url = "http://127.0.0.1:" + server.port() + "/api/v1/facts";

            Result warm = run(http, url, key, tenant, clients, 5, "warm");
            Result facts = run(http, url, key, tenant, clients, seconds, "run");
            // The product's latency target is set at half of peak load: an open-loop phase at that rate,
            // each latency counted from when the request was due, so a stall is not hidden by waiting.
            double half = facts.perSecond() / 2;
            Result paced = paced(http, url, key, tenant, half, seconds, "paced");
            Double pgbench = pgbench(server.database().jdbcUrl(), clients, seconds);
            double[] pgbenchPaced = pgbench == null ? null : pgbenchPaced(server.database().jdbcUrl(), clients, seconds, half);

            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            System.out.printf("| clients, seconds per phase | %d, %d (warm-up: %d facts) |%n", clients, seconds, warm.count);
            System.out.printf("| facts decided per second (HTTP + rules + PostgreSQL), 1,000 users | %.0f |%n", facts.perSecond());
            System.out.printf("| latency p50 / p95 / p99 | %.1f / %.1f / %.1f ms |%n", facts.pct(50), facts.pct(95), facts.pct(99));
            System.out.printf("| failed requests | %d |%n", facts.failed);
            System.out.printf("| at half that rate (%.0f facts/s offered, open loop): latency p50 / p95 / p99 | %.1f / %.1f / %.1f ms (%d failed) |%n",
                    half, paced.pct(50), paced.pct(95), paced.pct(99), paced.failed);
            if (pgbench != null) {
                System.out.printf("| pgbench -N transactions per second, same server, %d clients | %.0f |%n", clients, pgbench);
                System.out.printf("| ratio facts/s : pgbench tps | %.2f |%n", facts.perSecond() / pgbench);
                if (pgbenchPaced != null) {
                    System.out.printf("| pgbench -N -R %.0f (same offered rate): latency p50 / p95 / p99 from schedule | %.1f / %.1f / %.1f ms |%n",
                            half, pgbenchPaced[0], pgbenchPaced[1], pgbenchPaced[2]);
                    System.out.printf("| ratio of p99 at half peak, facts : pgbench | %.0f |%n", paced.pct(99) / pgbenchPaced[2]);
                }
            } else {
                System.out.println("| pgbench | not found on this machine |");
            }
        }
        System.exit(0);
    }

    record Result(long count, long failed, double seconds, long[] latenciesMicros) {
        double perSecond() { return count / seconds; }
        double pct(double p) {
            if (latenciesMicros.length == 0) return 0;
            return latenciesMicros[(int) Math.min(latenciesMicros.length - 1, Math.ceil(p / 100 * latenciesMicros.length) - 1)] / 1000.0;
        }
    }

    static Result run(HttpClient http, String url, String key, String tenant, int clients, int seconds, String prefix) throws Exception {
        AtomicLong ids = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Future<long[]>> futures = new ArrayList<>();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    long[] lat = new long[1 << 16];
                    int n = 0;
                    while (System.nanoTime() < end && n < lat.length) {
                        long id = ids.incrementAndGet();
                        String body = "{\"id\":\"" + prefix + "-" + id + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"u-" + (id % 1000)
                                + "\",\"type\":\"order.shipped\",\"attributes\":{\"value\":" + (id % 200) + "}}";
                        long s = System.nanoTime();
                        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url))
                                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != 200) failed.incrementAndGet();
                        lat[n++] = (System.nanoTime() - s) / 1000;
                    }
                    return Arrays.copyOf(lat, n);
                }));
            }
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : futures) all.add(f.get());
        long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(merged.length, failed.get(), elapsed, merged);
    }

    /** Posts facts at {@code rate} per second for {@code seconds}, whatever the answers' pace. */
    static Result paced(HttpClient http, String url, String key, String tenant, double rate, int seconds, String prefix) throws Exception {
        int total = (int) (rate * seconds);
        long[] lat = new long[total];
        AtomicLong failed = new AtomicLong();
        long t0 = System.nanoTime();
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < total; i++) {
                long due = t0 + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                int n = i;
                requests.submit(() -> {
                    String body = "{\"id\":\"" + prefix + "-" + n + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"u-" + (n % 1000)
                            + "\",\"type\":\"order.shipped\",\"attributes\":{\"value\":" + (n % 200) + "}}";
                    try {
                        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url))
                                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != 200) failed.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    lat[n] = (System.nanoTime() - due) / 1000;
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        return new Result(total, failed.get(), elapsed, Arrays.stream(lat).sorted().toArray());
    }

    /** pgbench -N (no branch/teller updates) against a fresh pgbench database on the same server. */
    static Double pgbench(String jdbcUrl, int clients, int seconds) throws Exception {
        Matcher m = Pattern.compile("//([^:/]+):(\\d+)/").matcher(jdbcUrl);
        if (!m.find()) return null;
        String host = m.group(1);
        String port = m.group(2);
        try (var c = java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            c.createStatement().execute("DROP DATABASE IF EXISTS pgbench");
            c.createStatement().execute("CREATE DATABASE pgbench");
        }
        if (exec("pgbench", "-i", "-q", "-s", "10", "-h", host, "-p", port, "-U", "postgres", "pgbench") == null) return null;
        String out = exec("pgbench", "-N", "-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString(seconds),
                "-h", host, "-p", port, "-U", "postgres", "pgbench");
        if (out == null) return null;
        Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
        return tps.find() ? Double.parseDouble(tps.group(1)) : null;
    }

    /**
     * pgbench -N at a fixed rate with a per-transaction log: p50, p95 and p99 of latency counted from
     * each transaction's scheduled start (time + schedule lag), as the paced facts are.
     */
    static double[] pgbenchPaced(String jdbcUrl, int clients, int seconds, double rate) throws Exception {
        Matcher m = Pattern.compile("//([^:/]+):(\\d+)/").matcher(jdbcUrl);
        if (!m.find()) return null;
        Path dir = java.nio.file.Files.createTempDirectory("pgbench-log");
        String out = exec("pgbench", "-N", "-R", String.format(java.util.Locale.ROOT, "%.0f", rate), "-c", Integer.toString(clients), "-j", "2",
                "-T", Integer.toString(seconds), "-l", "--log-prefix=" + dir.resolve("tx"), "-h", m.group(1), "-p", m.group(2), "-U", "postgres", "pgbench");
        if (out == null) return null;
        List<Long> micros = new ArrayList<>();
        try (var files = java.nio.file.Files.list(dir)) {
            for (Path f : files.toList()) {
                for (String line : java.nio.file.Files.readAllLines(f)) {
                    String[] c = line.trim().split("\\s+");
                    if (c.length >= 7) micros.add(Long.parseLong(c[2]) + Long.parseLong(c[6]));
                }
            }
        }
        if (micros.isEmpty()) return null;
        long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        Result r = new Result(sorted.length, 0, seconds, sorted);
        return new double[]{r.pct(50), r.pct(95), r.pct(99)};
    }

    static String exec(String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Reuses the test client against a server started here. */
    record TestServerView(Server server) {
        TestServer client() { return TestServer.wrap(server); }
    }
}
