package dev.thrillring.decisions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.app.Config;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Facts decided in shared groups: arrival order, state left by earlier facts, isolation of failures, two nodes. */
class GroupCommitTest {
    static TestServer app;
    static final AtomicInteger n = new AtomicInteger();

    /**
     * {@code counted}: pays as points the count of earlier counted facts of the subject, then
     * counts this one; {@code boom}: a rule that fails.
     */
    static final String RULES = "package overlay;\nimport dev.thrillring.engine.model.Fact;\nimport dev.thrillring.engine.model.SubjectState;\n"
            + "global dev.thrillring.engine.model.Outcomes outcomes;\n"
            + "rule \"Counted\" when Fact(type == \"counted\") $s : SubjectState(!changed(\"counted\")) then "
            + "outcomes.points(Math.round($s.metric(\"counted\")), \"seen\"); outcomes.metric(\"counted\", 1); end\n"
            + "rule \"Boom\" when Fact(type == \"boom\") then outcomes.metric(\"boom\", Math.sqrt(-1.0)); end\n";

    record Tenant(String id, String admin, String ingest) {}

    @BeforeAll
    static void setUp() { app = TestServer.shared(); }

    static Tenant tenant(TestServer on) {
        String id = on.createTenant("Grouped " + n.incrementAndGet(), "coreldove");
        Tenant t = new Tenant(id, on.issueKey(id, "tenant_admin"), on.issueKey(id, "ingest"));
        Response up = on.upload("/api/v1/rulesets/" + t.id + "/versions", t.admin, Map.of("c.drl", TestServer.text(RULES)), null);
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        assertThat(on.post("/api/v1/rulesets/" + t.id + "/versions/1/activate", t.admin, "").status()).isEqualTo(200);
        return t;
    }

    static String fact(Tenant t, String user, String type) {
        return "{\"id\":\"g-" + n.incrementAndGet() + "\",\"tenant_id\":\"" + t.id + "\",\"user_id\":\"" + user + "\",\"type\":\"" + type + "\"}";
    }

    static long seen(JsonNode decision) {
        for (JsonNode o : decision.get("outcomes")) {
            if (o.get("kind").asText().equals("points")) return o.get("details").get("amount").asLong();
        }
        throw new AssertionError("no points outcome in " + decision);
    }

    static long metric(Tenant t, String user, String metric) throws Exception {
        try (Connection c = app.ownerConnection();
             PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(value), 0) FROM subject_metrics WHERE tenant_id = ?::uuid "
                     + "AND user_id = ? AND metric = ? AND period_key = 'all'")) {
            ps.setString(1, t.id);
            ps.setString(2, user);
            ps.setString(3, metric);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void shouldDecideABatchInArrivalOrderAndKeepTheNeighboursOfAFailingFact() throws Exception {
        Tenant t = tenant(app);
        StringBuilder batch = new StringBuilder("{\"facts\":[");
        for (int i = 0; i < 60; i++) {
            if (i > 0) batch.append(',');
            batch.append(fact(t, i % 2 == 0 ? "even" : "odd", i % 10 == 9 ? "boom" : "counted"));
        }
        Response r = app.post("/api/v1/facts", t.ingest, batch.append("]}").toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);

        List<Long> even = new ArrayList<>();
        List<Long> odd = new ArrayList<>();
        JsonNode results = r.json().get("results");
        for (int i = 0; i < 60; i++) {
            JsonNode item = results.get(i);
            if (i % 10 == 9) {
                assertThat(item.get("status").asText()).isEqualTo("rejected");
                assertThat(item.get("problem").get("status").asInt()).isEqualTo(422);
                continue;
            }
            assertThat(item.get("status").asText()).as(item.toString()).isEqualTo("decided");
            (i % 2 == 0 ? even : odd).add(seen(item.get("decision")));
        }
        // Each fact saw exactly the facts of its subject that came before it, failed ones aside.
        assertThat(even).containsExactlyElementsOf(LongStream.range(0, even.size()).boxed().toList());
        assertThat(odd).containsExactlyElementsOf(LongStream.range(0, odd.size()).boxed().toList());
        assertThat(metric(t, "even", "counted")).isEqualTo(even.size());
        assertThat(metric(t, "odd", "counted")).isEqualTo(odd.size());
    }

    @Test
    void shouldGiveConcurrentFactsOfOneSubjectEachTheStateTheEarlierOnesLeft() throws Exception {
        Tenant t = tenant(app);
        int facts = 48;
        List<Future<Response>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < facts; i++) answers.add(pool.submit(() -> app.post("/api/v1/facts", t.ingest, fact(t, "racer", "counted"))));
        }
        List<Long> seen = new ArrayList<>();
        for (Future<Response> f : answers) {
            assertThat(f.get().status()).as(f.get().body()).isEqualTo(200);
            seen.add(seen(f.get().json()));
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(LongStream.range(0, facts).boxed().toList());
        assertThat(metric(t, "racer", "counted")).isEqualTo(facts);
    }

    @Test
    void shouldNeitherDoubleAnUnlockNorLoseAMetricUpdateAcrossTwoNodes() throws Exception {
        Config second = new Config("127.0.0.1", 0, TestServer.tempDir(),
                Optional.of(app.server.database().jdbcUrl() + "?user=postgres"), Optional.empty(), Optional.empty(),
                Optional.of(TestServer.ADMIN_KEY), Path.of("rules"), Path.of("decision-tables"), 1_048_576, 8, 100, false,
                "http://127.0.0.1:7070", java.util.Set.of("127.0.0.1"), 100_000, 100_000, 100_000).withBadgeKeySecret(app.badgeKeySecret());
        try (TestServer other = TestServer.wrap(dev.thrillring.app.Server.start(second))) {
            Tenant t = tenant(app);
            int facts = 40;
            List<Future<Response>> answers = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
                for (int i = 0; i < facts; i++) {
                    TestServer node = i % 2 == 0 ? app : other;
                    String type = i % 4 < 2 ? "counted" : "order.shipped";
                    answers.add(pool.submit(() -> node.post("/api/v1/facts", t.ingest, fact(t, "both", type))));
                }
            }
            List<Long> seen = new ArrayList<>();
            for (int i = 0; i < facts; i++) {
                Response r = answers.get(i).get();
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                if (i % 4 < 2) seen.add(seen(r.json()));
            }
            assertThat(seen).containsExactlyInAnyOrderElementsOf(LongStream.range(0, facts / 2).boxed().toList());
            assertThat(metric(t, "both", "counted")).isEqualTo(facts / 2);
            assertThat(metric(t, "both", "orders_shipped")).isEqualTo(facts / 2);
            try (Connection c = app.ownerConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM tenant_achievements ta JOIN achievements a ON a.id = ta.achievement_id "
                         + "WHERE ta.tenant_id = ?::uuid AND a.achievement_key IN ('first-sale', 'orders-bronze') AND ta.unlocked_at IS NOT NULL")) {
                ps.setString(1, t.id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(2);
                }
            }
        }
    }
}
