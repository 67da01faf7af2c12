package dev.thrillring.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.db.TenantScope;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The ordered event log: one shape, positions without gaps, readable in order while writers race. */
class EventLogTest {
    static TestServer app;

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    @Test
    void shouldPageATenantsEventsInOrderOverHttp() {
        String tenant = app.createTenant("Event reader", "coreldove");
        String ingest = app.issueKey(tenant, "ingest");
        String analyst = app.issueKey(tenant, "analyst");
        for (int i = 0; i < 3; i++) {
            Response r = app.post("/api/v1/facts", ingest, "{\"id\":\"ev-" + i + "\",\"tenant_id\":\"" + tenant
                    + "\",\"user_id\":\"reader\",\"type\":\"order.shipped\",\"attributes\":{\"value\":20}}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        List<JsonNode> all = new ArrayList<>();
        long after = 0;
        while (true) {
            Response page = app.get("/api/v1/tenants/" + tenant + "/events?after=" + after + "&limit=2", analyst);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            page.json().get("events").forEach(all::add);
            if (page.json().get("events").isEmpty()) break;
            after = page.json().get("next").asLong();
        }
        assertThat(all).isNotEmpty();
        for (int i = 0; i < all.size(); i++) {
            JsonNode e = all.get(i);
            assertThat(e.get("position").asLong()).isEqualTo(i + 1);
            assertThat(e.get("tenant_id").asText()).isEqualTo(tenant);
            assertThat(e.get("subject").asText()).isEqualTo("reader");
            assertThat(e.has("id") && e.has("type") && e.has("occurred_at") && e.has("data")).isTrue();
        }
        assertThat(all).anyMatch(e -> e.get("type").asText().equals("achievement.unlocked")
                && e.get("data").get("achievement").asText().equals("first-sale") && e.get("data").get("source").asText().equals("ev-0"));

        String other = app.createTenant("Someone else", "coreldove");
        assertThat(app.get("/api/v1/tenants/" + other + "/events", analyst).status()).isEqualTo(403);
        assertThat(app.get("/api/v1/tenants/" + tenant + "/events", ingest).status()).isEqualTo(403);
        assertThat(app.get("/api/v1/tenants/" + tenant + "/events?after=-1", analyst).status()).isEqualTo(422);
    }

    /**
     * The classic outbox pitfall: with positions from a sequence, a transaction that took 5 can
     * commit before one that took 4, and a reader that has seen 5 never goes back for 4. Here
     * positions come after commit, in the order the writers' transactions started; so each writer
     * takes its transaction id first, then writes and commits late, while later writers commit
     * before it. A reader paging meanwhile must see every position, once, in order.
     */
    @Test
    void shouldNeverLetAReaderSkipAnEventThatCommitsLater() throws Exception {
        UUID tenant = UUID.fromString(app.createTenant("Racing writers", "coreldove"));
        TenantScope scope = new TenantScope(app.server.database().dsl(), app.server.database().dataSource());
        int writers = 8;
        int perWriter = 25;
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Long> read = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers + 1)) {
            Future<?> reader = pool.submit(() -> {
                long cursor = 0;
                long deadline = System.nanoTime() + 60_000_000_000L;
                while ((writing.get() || cursor < (long) writers * perWriter) && System.nanoTime() < deadline) {
                    long c = cursor;
                    for (Event e : scope.inTenant(tenant, tx -> EventLog.read(tx, tenant, c, 50))) {
                        read.add(e.position());
                        cursor = e.position();
                    }
                }
                return null;
            });
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        int k = i;
                        scope.inTenant(tenant, tx -> {
                            // The transaction id now, the events and the commit later.
                            tx.fetch("select pg_current_xact_id()");
                            sleep(ThreadLocalRandom.current().nextInt(3));
                            EventLog.append(tx, Event.of(tenant, "test.raced", "w" + writer, Instant.now(), Map.of("i", k)));
                            // Runs after the log's own work, before the commit: the commit is late.
                            TenantScope.atCommit(tx, "slow commit", () -> () -> sleep(ThreadLocalRandom.current().nextInt(3)));
                            return null;
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            writing.set(false);
            reader.get();
        }
        List<Long> expected = new ArrayList<>();
        for (long p = 1; p <= (long) writers * perWriter; p++) expected.add(p);
        assertThat(read).containsExactlyElementsOf(expected);
    }

    private static void sleep(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
