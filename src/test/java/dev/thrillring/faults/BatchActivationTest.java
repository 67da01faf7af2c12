package dev.thrillring.faults;

import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch that is being decided while its tenant's rules are activated moves to the new rule set
 * at its next group: it does not finish the whole batch on the rule set it started with.
 */
class BatchActivationTest {
    static final TestServer app = TestServer.shared();

    record Decided(Instant at, String version) {}

    static List<Decided> decided(Connection db, String tenant, String prefix) throws Exception {
        List<Decided> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT decided_at, rule_set_version FROM decisions WHERE tenant_id = ? AND fact_id LIKE ? ORDER BY decided_at")) {
            ps.setObject(1, UUID.fromString(tenant));
            ps.setString(2, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Decided(rs.getTimestamp(1).toInstant(), rs.getString(2)));
            }
        }
        return out;
    }

    @Test
    void shouldDecideTheGroupsAfterAnActivationWithTheNewRuleSet() throws Exception {
        String tenant = app.createTenant("Batch Activation", "coreldove");
        String admin = app.issueKey(tenant, "tenant_admin");
        String ingest = app.issueKey(tenant, "ingest");
        String drl = "package overlay;\nimport dev.thrillring.engine.model.Fact;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n"
                + "rule \"Batch v1\" when Fact(type == \"order.shipped\") then outcomes.points(1, \"batch\"); end\n";
        assertThat(app.upload("/api/v1/rulesets/" + tenant + "/versions", admin, Map.of("batch.drl", TestServer.text(drl)), null).status())
                .isEqualTo(201);

        // One subject whose facts alternate between two days: a group holds one fact of a subject per
        // period, so the batch is decided in many small groups one after another.
        Instant today = Instant.now().minusSeconds(60);
        Instant yesterday = today.minusSeconds(86_400);
        StringBuilder batch = new StringBuilder("{\"facts\":[");
        for (int i = 0; i < 1000; i++) {
            if (i > 0) batch.append(',');
            batch.append("{\"id\":\"ba-").append(i).append("\",\"tenant_id\":\"").append(tenant).append("\",\"user_id\":\"u-1")
                    .append("\",\"type\":\"order.shipped\",\"occurred_at\":\"").append(i % 2 == 0 ? today : yesterday)
                    .append("\",\"attributes\":{\"order_value\":").append(10 + i % 90).append("}}");
        }
        batch.append("]}");
        CompletableFuture<TestServer.Response> answer = CompletableFuture.supplyAsync(() -> app.post("/api/v1/facts", ingest, batch.toString()));

        Instant activated;
        List<Decided> before;
        try (Connection db = app.ownerConnection()) {
            // Activate once the batch has begun to commit.
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (decided(db, tenant, "ba-").isEmpty() && !answer.isDone() && System.nanoTime() < deadline) Thread.sleep(5);
            var r = app.post("/api/v1/rulesets/" + tenant + "/versions/1/activate", admin, "");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            activated = Instant.now();
            before = decided(db, tenant, "ba-");
        }
        assertThat(answer.get().status()).as(answer.get().body()).isEqualTo(200);
        Assumptions.assumeTrue(before.size() < 1000,
                "the batch finished before the activation did (" + before.size() + " facts decided); nothing to observe on this machine");

        List<Decided> all;
        try (Connection db = app.ownerConnection()) {
            all = decided(db, tenant, "ba-");
        }
        assertThat(all).hasSize(1000);
        String base = all.getFirst().version();
        assertThat(base).doesNotContain("+v1");
        // The facts decided after the activation had returned were decided by it. A group that had
        // already read its rule set may commit a moment after; two seconds covers that group.
        List<Decided> late = all.stream().filter(d -> d.at().isAfter(activated.plusSeconds(2))).toList();
        assertThat(late).allSatisfy(d -> assertThat(d.version()).endsWith("+v1"));
        // And the batch did move: facts of the one batch were decided by both rule sets.
        assertThat(all.stream().map(Decided::version).distinct()).hasSize(2);
    }
}
