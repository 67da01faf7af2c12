package dev.thrillring.db;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs work in one transaction scoped to one tenant: {@code app.tenant_id} is set for that
 * transaction only, and row-level security hides every other tenant's rows.
 *
 * <p>The transaction is handled on the JDBC connection directly rather than through jOOQ's
 * transaction provider, which asks the server for the isolation level at every begin: one
 * round trip per fact that bought nothing (measured in docs/benchmarks.md).
 */
public final class TenantScope {
    private static final Settings SETTINGS = new Settings().withExecuteLogging(false).withRenderSchema(false);
    private final DSLContext dsl;
    private final DataSource dataSource;

    public TenantScope(DSLContext dsl, DataSource dataSource) {
        this.dsl = dsl;
        this.dataSource = dataSource;
    }

    /** Runs {@code work} in a transaction that sees only {@code tenantId}'s rows; commits unless it throws. */
    public <T> T inTenant(UUID tenantId, Function<DSLContext, T> work) {
        return transaction(tx -> {
            enter(tx, tenantId);
            return work.apply(tx);
        });
    }

    /**
     * Runs each tenant's work in turn in one transaction, under that tenant's setting: for writes
     * that span tenants by nature (rank changes on a public board), at the cost of one commit
     * instead of one per tenant. Row-level security still checks every statement.
     */
    public void inEachTenant(Map<UUID, ? extends Consumer<DSLContext>> work) {
        if (work.isEmpty()) return;
        transaction(tx -> {
            work.forEach((tenant, w) -> {
                enter(tx, tenant);
                w.accept(tx);
            });
            return null;
        });
    }

    private static void enter(DSLContext tx, UUID tenantId) {
        tx.select(DSL.function("set_config", String.class,
                DSL.val("app.tenant_id"), DSL.val(tenantId.toString()), DSL.inline(true))).fetch();
    }

    private <T> T transaction(Function<DSLContext, T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                DSLContext tx = DSL.using(c, SQLDialect.POSTGRES, SETTINGS);
                T result = work.apply(tx);
                c.commit();
                return result;
            } catch (RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            } catch (SQLException e) {
                rollbackQuietly(c, e);
                throw new org.jooq.exception.DataAccessException("commit failed", e);
            }
        } catch (SQLException e) {
            throw new org.jooq.exception.DataAccessException("no database connection", e);
        }
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** The unscoped context, for statements that touch no tenant rows (health checks, functions). */
    public DSLContext unscoped() { return dsl; }
}
