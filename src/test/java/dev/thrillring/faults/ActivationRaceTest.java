package dev.thrillring.faults;

import dev.thrillring.app.Config;
import dev.thrillring.app.Server;
import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrent activations of one tenant's versions, on two nodes sharing one database, while facts
 * flow: after every round each node serves exactly the version the database says is active: the
 * activating node as soon as both activations returned (generation guard), the other within a
 * bounded wait (notices carry the generation). Rounds: {@code -Dfaults.rounds} (default 60, bounded
 * by {@code -Dfaults.seconds}, default 45 s); the long form runs 300.
 */
class ActivationRaceTest {
    private static final int VERSIONS = 4;

    @Test
    void shouldServeTheActiveVersionOnEveryNodeAfterConcurrentActivations() throws Exception {
        int rounds = Integer.getInteger("faults.rounds", 60);
        Duration budget = Duration.ofSeconds(Integer.getInteger("faults.seconds", 45));
        TestServer a = TestServer.shared();
        Config second = new Config("127.0.0.1", 0, TestServer.tempDir(), Optional.of(a.server.database().jdbcUrl() + "?user=postgres"),
                Optional.empty(), Optional.empty(), Optional.of(TestServer.ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"),
                1_048_576, 8, 100, false, "http://127.0.0.1:7070", java.util.Set.of("127.0.0.1"), 100_000, 100_000, 100_000).withBadgeKeySecret(a.badgeKeySecret());
        try (Server serverB = Server.start(second)) {
            TestServer b = TestServer.wrap(serverB);
            String tenant = a.createTenant("Race", "coreldove");
            String admin = a.issueKey(tenant, "tenant_admin");
            String ingest = a.issueKey(tenant, "ingest");
            for (int v = 1; v <= VERSIONS; v++) {
                String drl = "package overlay;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
                        + "rule \"Race v" + v + "\" when Fact(type == \"order.shipped\") then outcomes.points(" + v + ", \"race\"); end\n";
                assertThat(a.upload("/api/v1/rulesets/" + tenant + "/versions", admin, Map.of("race.drl", TestServer.text(drl)), null).status())
                        .isEqualTo(201);
            }
            ExecutorService pool = Executors.newFixedThreadPool(3);
            AtomicBoolean loading = new AtomicBoolean(true);
            AtomicInteger facts = new AtomicInteger();
            // Background load on both nodes, so swaps land while evaluations run.
            Future<?> load = pool.submit(() -> {
                while (loading.get()) {
                    int n = facts.incrementAndGet();
                    (n % 2 == 0 ? a : b).post("/api/v1/facts", ingest, fact(tenant, "load-" + n));
                }
                return null;
            });
            long t0 = System.nanoTime();
            int done = 0;
            long slowestOtherNodeMs = 0;
            try (Connection db = a.ownerConnection()) {
                for (int round = 0; round < rounds && System.nanoTime() - t0 < budget.toNanos(); round++) {
                    int x = 1 + round % VERSIONS;
                    int y = 1 + (round + 1 + round / VERSIONS) % VERSIONS;
                    if (y == x) y = 1 + x % VERSIONS;
                    CyclicBarrier start = new CyclicBarrier(2);
                    List<Future<Integer>> both = new ArrayList<>();
                    for (int v : new int[]{x, y}) {
                        TestServer node = round % 3 == 0 && v == y ? b : a; // every third round the two activations come from two nodes
                        both.add(pool.submit(() -> {
                            start.await();
                            return node.post("/api/v1/rulesets/" + tenant + "/versions/" + v + "/activate", admin, "").status();
                        }));
                    }
                    for (Future<Integer> f : both) assertThat(f.get()).isEqualTo(200);
                    int active = activeVersion(db, tenant);
                    String expected = "+v" + active;
                    if (round % 3 != 0) {
                        // Both activations went through node A: it serves the winner at once.
                        assertThat(served(a, ingest, tenant, "a-" + round)).as("round %d: node A after both activations returned", round)
                                .endsWith(expected);
                    }
                    long w0 = System.nanoTime();
                    for (TestServer node : List.of(a, b)) {
                        String got = served(node, ingest, tenant, "r" + round + "-" + node.server.port() + "-0");
                        for (int i = 1; !got.endsWith(expected) && i < 100; i++) {
                            Thread.sleep(20);
                            got = served(node, ingest, tenant, "r" + round + "-" + node.server.port() + "-" + i);
                        }
                        assertThat(got).as("round %d: node %d serves what the database says is active", round, node.server.port())
                                .endsWith(expected);
                    }
                    slowestOtherNodeMs = Math.max(slowestOtherNodeMs, (System.nanoTime() - w0) / 1_000_000);
                    done++;
                }
            } finally {
                loading.set(false);
                load.get();
                pool.shutdownNow();
            }
            System.out.printf("activation race: %d rounds (2 concurrent activations each, %d facts of load) in %d ms; "
                    + "slowest convergence of both nodes %d ms%n", done, facts.get(), (System.nanoTime() - t0) / 1_000_000, slowestOtherNodeMs);
            // The budget bounds CI time on a loaded machine; a few rounds must run in any case.
            assertThat(done).as("rounds run within the budget").isGreaterThanOrEqualTo(Math.min(rounds, 3));
        }
    }

    private static String fact(String tenant, String id) {
        return "{\"id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"type\":\"order.shipped\"}";
    }

    private static String served(TestServer node, String key, String tenant, String id) {
        TestServer.Response r = node.post("/api/v1/facts", key, fact(tenant, id));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("rule_set_version").asText();
    }

    private static int activeVersion(Connection db, String tenant) throws Exception {
        try (var rs = db.createStatement().executeQuery(
                "SELECT version FROM rule_set_versions WHERE status = 'active' AND tenant_id = '" + tenant + "'")) {
            assertThat(rs.next()).isTrue();
            return rs.getInt(1);
        }
    }
}
