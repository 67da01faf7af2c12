package dev.thrillring.db;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.util.UUID;
import java.util.function.Function;

/**
 * Runs work in one transaction scoped to one tenant: {@code app.tenant_id} is set for that
 * transaction only, and row-level security hides every other tenant's rows.
 */
public final class TenantScope {
    private final DSLContext dsl;

    public TenantScope(DSLContext dsl) { this.dsl = dsl; }

    /** Runs {@code work} in a transaction that sees only {@code tenantId}'s rows. */
    public <T> T inTenant(UUID tenantId, Function<DSLContext, T> work) {
        return dsl.transactionResult(c -> {
            DSLContext tx = c.dsl();
            tx.select(DSL.function("set_config", String.class,
                    DSL.val("app.tenant_id"), DSL.val(tenantId.toString()), DSL.inline(true))).fetch();
            return work.apply(tx);
        });
    }

    /** The unscoped context, for statements that touch no tenant rows (health checks, functions). */
    public DSLContext unscoped() { return dsl; }
}
