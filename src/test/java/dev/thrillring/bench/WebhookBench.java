package dev.thrillring.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.thrillring.app.Config;
import dev.thrillring.app.OperationsConfig;
import dev.thrillring.app.Server;
import dev.thrillring.support.TestServer;
import dev.thrillring.webhooks.WebhookSettings;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhooks under load: facts posted by {@code clients} closed-loop clients for {@code seconds},
 * first to a tenant without webhooks, then to one whose endpoint (a loopback receiver in this JVM)
 * subscribes to every event. Reports the ingestion rate of both phases side by side, the events
 * delivered per second, and the time from a fact's answer (its commit is before it) to the receipt
 * of its {@code achievement.unlocked} webhook.
 *
 * <pre>./mvnw -Pbench test-compile exec:exec -Dbench=dev.thrillring.bench.WebhookBench -Dbench.args="8 20"</pre>
 */
public final class WebhookBench {
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path data = TestServer.tempDir();
        Config config = new Config("127.0.0.1", 0, data, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(TestServer.ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, 16, 1000, false,
                "http://127.0.0.1:7070", java.util.Set.of(), 100_000, 100_000, 100_000);
        Map<String, Long> answered = new ConcurrentHashMap<>();
        AtomicLong delivered = new AtomicLong();
        AtomicLong lastReceipt = new AtomicLong();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", ex -> {
            long at = System.nanoTime();
            byte[] body = ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(204, -1);
            ex.close();
            delivered.incrementAndGet();
            lastReceipt.set(at);
            JsonNode n = JSON.readTree(body);
            if (n.path("type").asText().equals("achievement.unlocked")) {
                String fact = n.path("data").path("source").asText();
                answeredLater.put(fact, at);
            }
        });
        receiver.start();
        try (Server server = Server.start(config, OperationsConfig.DEFAULTS, WebhookSettings.DEFAULTS.withAllowHttp(true))) {
            TestServer app = TestServer.wrap(server);
            String url = "http://127.0.0.1:" + server.port() + "/api/v1/facts";
            HttpClient http = HttpClient.newHttpClient();

            String warmTenant = app.createTenant("Warm-up", "coreldove");
            run(http, url, app.issueKey(warmTenant, "ingest"), warmTenant, clients, 5, "warm", new ConcurrentHashMap<>());

            String plainTenant = app.createTenant("Without webhooks", "coreldove");
            double plain = run(http, url, app.issueKey(plainTenant, "ingest"), plainTenant, clients, seconds, "plain", new ConcurrentHashMap<>());

            String hookTenant = app.createTenant("With webhooks", "coreldove");
            var created = app.post("/api/v1/tenants/" + hookTenant + "/webhooks", TestServer.ADMIN_KEY,
                    "{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\",\"event_types\":[\"*\"]}");
            if (created.status() != 201) throw new IllegalStateException(created.body());
            long t0 = System.nanoTime();
            double hooked = run(http, url, app.issueKey(hookTenant, "ingest"), hookTenant, clients, seconds, "hook", answered);
            long loadEnd = System.nanoTime();
            long deliveredDuringLoad = delivered.get();
            // Drain: wait until every event of the tenant was delivered (bounded).
            long events = 0;
            for (int i = 0; i < 600; i++) {
                events = count(server, "SELECT count(*) FROM events WHERE tenant_id = '" + hookTenant + "'");
                if (delivered.get() >= events) break;
                Thread.sleep(200);
            }
            double drainSeconds = (lastReceipt.get() - loadEnd) / 1e9;
            long[] lat = answered.entrySet().stream().filter(e -> answeredLater.containsKey(e.getKey()))
                    .mapToLong(e -> (answeredLater.get(e.getKey()) - e.getValue()) / 1000).sorted().toArray();

            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            System.out.printf("| clients, seconds per phase | %d, %d |%n", clients, seconds);
            System.out.printf("| facts/s without webhooks | %.0f |%n", plain);
            System.out.printf("| facts/s with an endpoint subscribed to every event | %.0f (%.0f%% of the rate without) |%n", hooked, 100 * hooked / plain);
            System.out.printf("| events written / delivered | %d / %d |%n", events, delivered.get());
            System.out.printf("| events delivered per second while facts were posted | %.0f |%n", deliveredDuringLoad / ((loadEnd - t0) / 1e9));
            System.out.printf("| events delivered per second, whole run (until the last receipt) | %.0f |%n",
                    delivered.get() / ((lastReceipt.get() - t0) / 1e9));
            System.out.printf("| backlog drained after the load stopped | %.1f s |%n", Math.max(0, drainSeconds));
            System.out.printf("| fact answer -> achievement.unlocked webhook receipt, p50 / p95 / p99 / max (%d unlocks) | %.0f / %.0f / %.0f / %.0f ms |%n",
                    lat.length, pct(lat, 50), pct(lat, 95), pct(lat, 99), lat.length == 0 ? 0.0 : lat[lat.length - 1] / 1000.0);
        } finally {
            receiver.stop(0);
        }
        System.exit(0);
    }

    static final Map<String, Long> answeredLater = new ConcurrentHashMap<>();

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] / 1000.0;
    }

    static long count(Server server, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(server.database().jdbcUrl(), "postgres", "");
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Closed-loop facts, each by a new user (so each unlocks first-sale); records when each was answered. */
    static double run(HttpClient http, String url, String key, String tenant, int clients, int seconds, String prefix,
                      Map<String, Long> answered) throws Exception {
        AtomicLong ids = new AtomicLong();
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        String id = prefix + "-" + ids.incrementAndGet();
                        String body = "{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"" + id
                                + "\",\"type\":\"order.shipped\",\"attributes\":{\"value\":20}}";
                        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url))
                                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() == 200) {
                            answered.put(id, System.nanoTime());
                            done.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
        }
        return done.get() / ((System.nanoTime() - t0) / 1e9);
    }
}
