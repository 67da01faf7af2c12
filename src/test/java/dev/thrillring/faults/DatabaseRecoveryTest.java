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
