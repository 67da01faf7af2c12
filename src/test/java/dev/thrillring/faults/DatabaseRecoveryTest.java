package dev.thrillring.faults;

import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded PostgreSQL is killed and cannot start again for a while (a broken setting stands in
 * for a full disk or any other start failure): requests fail fast with 503 and Retry-After,
 * {@code /ready} answers at once, {@code /health} says why, and once the cause is gone the
 * supervisor starts PostgreSQL again by itself and every request works.
 */
class DatabaseRecoveryTest {

    @Test
    void shouldRestartAKilledPostgresAndFailFastMeanwhile() throws Exception {
        try (TestServer app = TestServer.start(TestServer.tempDir())) {
            String tenant = app.createTenant("Outage", "coreldove");
            String key = app.issueKey(tenant, "ingest");
            assertThat(fact(app, key, tenant, "before").status()).isEqualTo(200);
            Path pgData = app.dataDir.resolve("postgres");

            shouldReportEachFactOfABatchTheDatabaseFailedIn(app, key, tenant, pgData);

            Path autoConf = pgData.resolve("postgresql.auto.conf");
            String goodConf = Files.readString(autoConf);
            // Read only at start: the next start fails until the line is gone again.
            Files.writeString(autoConf, "\nthis_setting_does_not_exist = 1\n", StandardOpenOption.APPEND);
            long pid = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).getFirst().trim());
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();

            Response ready = awaitStatus(app, "/ready", 503, Duration.ofSeconds(10));
            assertThat(ready.json().get("checks").get("database").asText()).isEqualTo("down");
            Response health = app.get("/health", null);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().get("status").asText()).isEqualTo("degraded");
            assertThat(health.json().get("database").get("reason").asText()).isNotBlank();

            List<Long> readyMillis = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                assertThat(app.get("/ready", null).status()).isEqualTo(503);
                readyMillis.add((System.nanoTime() - t0) / 1_000_000);
            }
            long t0 = System.nanoTime();
            Response refused = fact(app, key, tenant, "during");
            long refusedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
            assertThat(Long.parseLong(refused.header("Retry-After"))).isPositive();
            assertThat(refused.json().get("retryable").asBoolean()).isTrue();
            System.out.printf("database down: /ready answered in at most %d ms (20 probes), a fact was refused in %d ms%n",
                    readyMillis.stream().mapToLong(Long::longValue).max().orElseThrow(), refusedMs);
            // Generous bounds for a loaded machine; the figures above are what to look at.
            assertThat(readyMillis).allSatisfy(ms -> assertThat(ms).isLessThan(1000));
            assertThat(refusedMs).isLessThan(1000);

            // At least one failed start (logged, counted, backed off) before the cause goes away.
            long f0 = System.nanoTime();
            while (metric(app.get("/metrics", null).body(), "thrillring_database_restart_failures_total") < 1) {
                assertThat(System.nanoTime() - f0).as("no failed restart within 30 s").isLessThan(Duration.ofSeconds(30).toNanos());
                Thread.sleep(100);
            }
            assertThat(app.get("/health", null).json().get("database").get("reason").asText()).contains("could not be started again");
            Files.writeString(autoConf, goodConf);
            long down = System.nanoTime();
            awaitStatus(app, "/ready", 200, Duration.ofSeconds(60));
            System.out.printf("supervisor had PostgreSQL serving again %d ms after the cause was removed%n", (System.nanoTime() - down) / 1_000_000);
            assertThat(app.get("/health", null).json().get("status").asText()).isEqualTo("up");
            assertThat(fact(app, key, tenant, "after").status()).isEqualTo(200);
            assertThat(fact(app, key, tenant, "before").json().get("status").asText()).as("committed before the kill").isEqualTo("replayed");
            String metrics = app.get("/metrics", null).body();
            assertThat(metric(metrics, "thrillring_database_restarts_total")).isGreaterThanOrEqualTo(1);
            assertThat(metric(metrics, "thrillring_database_restart_failures_total")).isGreaterThanOrEqualTo(1);
            assertThat(metric(metrics, "thrillring_database_up")).isEqualTo(1);
        }
    }

    /**
     * PostgreSQL is killed while a batch is being decided: the answer is 503 with every fact's
     * result (decided, failed, not attempted); sending the batch again completes it, with the
     * decided facts replayed, not decided twice.
     */
    private static void shouldReportEachFactOfABatchTheDatabaseFailedIn(TestServer app, String key, String tenant, Path pgData) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var facts = json.createArrayNode();
        int size = 1000;
        for (int i = 0; i < size; i++) {
            facts.addObject().put("id", "batch-" + i).put("tenant_id", tenant).put("user_id", "u" + i % 20).put("type", "order.shipped");
        }
        String batch = json.createObjectNode().set("facts", facts).toString();
        var answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> app.post("/api/v1/facts", key, batch));
        try (var c = app.ownerConnection()) {
            long t0 = System.nanoTime();
            int stored = 0;
            while (stored < 50 && !answer.isDone() && System.nanoTime() - t0 < Duration.ofSeconds(60).toNanos()) {
                try (var rs = c.createStatement().executeQuery("SELECT count(*) FROM facts WHERE tenant_id = '" + tenant + "' AND fact_id LIKE 'batch-%'")) {
                    rs.next();
                    stored = rs.getInt(1);
                }
                Thread.sleep(5);
            }
        }
        assertThat(answer.isDone()).as("the batch finished before the kill: make it larger").isFalse();
        long restarts = app.get("/health", null).json().get("database").get("restarts").asLong();
        long pid = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).getFirst().trim());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Response r = answer.get(60, java.util.concurrent.TimeUnit.SECONDS);
        java.util.Map<String, Integer> byStatus = new java.util.TreeMap<>();
        r.json().get("results").forEach(item -> byStatus.merge(item.get("status").asText(), 1, Integer::sum));
        System.out.println("batch of " + size + " with PostgreSQL killed mid-way: " + r.status() + " " + byStatus);
        // Each fact's group answers before the batch does. When the supervisor brings PostgreSQL back
        // before a group fails, every fact is decided (200); otherwise the lost ones are "failed" (503).
        if (byStatus.containsKey("failed")) {
            assertThat(r.status()).as(r.body()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isNotNull();
        } else {
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        assertThat(byStatus.keySet()).contains("decided").isSubsetOf("decided", "failed");
        assertThat(byStatus.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(size);
        r.json().get("results").forEach(item -> {
            if (!item.get("status").asText().equals("decided")) assertThat(item.get("problem").get("retryable").asBoolean()).isTrue();
        });

        // Ready only once the supervisor has noticed the kill and started PostgreSQL again: until its
        // probe notices, /ready still reports the state from before the kill.
        for (long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
             app.get("/health", null).json().get("database").get("restarts").asLong() <= restarts && System.nanoTime() < until; ) {
            Thread.sleep(100);
        }
        awaitStatus(app, "/ready", 200, Duration.ofSeconds(60));
        Response retry = app.post("/api/v1/facts", key, batch);
        assertThat(retry.status()).as(retry.body()).isEqualTo(200);
        java.util.Map<String, Integer> afterRetry = new java.util.TreeMap<>();
        retry.json().get("results").forEach(item -> afterRetry.merge(item.get("status").asText(), 1, Integer::sum));
        System.out.println("the same batch sent again: " + afterRetry);
        assertThat(afterRetry.getOrDefault("replayed", 0)).as("decided before the kill: replayed").isGreaterThanOrEqualTo(byStatus.get("decided"));
        try (var c = app.ownerConnection(); var rs = c.createStatement().executeQuery(
                "SELECT count(*), count(DISTINCT d.fact_id) FROM facts f JOIN decisions d USING (tenant_id, fact_id) "
                        + "WHERE f.tenant_id = '" + tenant + "' AND f.fact_id LIKE 'batch-%'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("every fact of the batch decided exactly once").isEqualTo(size);
            assertThat(rs.getInt(2)).isEqualTo(size);
        }
    }

    static Response fact(TestServer app, String key, String tenant, String id) {
        return app.post("/api/v1/facts", key, "{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"type\":\"order.shipped\"}");
    }

    static Response awaitStatus(TestServer app, String path, int status, Duration limit) throws InterruptedException {
        long t0 = System.nanoTime();
        Response r;
        do {
            r = app.get(path, null);
            if (r.status() == status) return r;
            Thread.sleep(50);
        } while (System.nanoTime() - t0 < limit.toNanos());
        throw new AssertionError(path + " did not answer " + status + " within " + limit.toSeconds() + " s: " + r.status() + " " + r.body());
    }

    static double metric(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
