package dev.thrillring.db;

import dev.thrillring.support.TestServer;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.FACTS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Statements sent together in one text: a large group's statements carry more bind values in all
 * than the protocol counts in one text. Before they were split, such a group's write failed and
 * its facts were redone one by one, stalling every fact behind them.
 */
class StatementsTogetherTest {

    @Test
    void shouldSendStatementsWhoseBindValuesTogetherExceedWhatOneTextCarries() {
        TestServer app = TestServer.shared();
        UUID tenant = UUID.fromString(app.createTenant("Together", "coreldove"));
        Database db = app.server.database();
        TenantScope scope = new TenantScope(db.dsl(), db.dataSource());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 25_000; i++) ids.add("none-" + i);
        // Three reads of 25,000 bind values each: 75,000 in all, beyond the 65,535 of one text.
        var read = DSL.selectCount().from(FACTS).where(FACTS.TENANT_ID.eq(tenant).and(FACTS.FACT_ID.in(ids)));
        var results = scope.inTenant(tenant, List.of(read, read, read), (tx, r) -> r);
        assertThat(results).hasSize(3).allSatisfy(r -> assertThat(r.getFirst().get(0, Integer.class)).isZero());

        // Deferred writes of 12,000 facts (7 bind values each) go with the commit.
        scope.inTenant(tenant, tx -> {
            for (int batch = 0; batch < 3; batch++) {
                var insert = DSL.insertInto(FACTS, FACTS.TENANT_ID, FACTS.FACT_ID, FACTS.USER_ID, FACTS.TYPE, FACTS.OCCURRED_AT,
                        FACTS.ATTRIBUTES, FACTS.PAYLOAD_HASH);
                for (int i = 0; i < 4_000; i++) {
                    insert = insert.values(tenant, "together-" + batch + "-" + i, "u", "order.shipped", java.time.OffsetDateTime.now(),
                            org.jooq.JSONB.valueOf("{}"), "h");
                }
                TenantScope.defer(tx, insert);
            }
            return null;
        });
        int stored = scope.inTenant(tenant, tx -> tx.fetchCount(FACTS, FACTS.TENANT_ID.eq(tenant).and(FACTS.FACT_ID.like("together-%"))));
        assertThat(stored).isEqualTo(12_000);
    }
}
