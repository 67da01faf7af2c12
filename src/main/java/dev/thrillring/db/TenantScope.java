package dev.thrillring.db;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

    private static void enter(DSLContext tx, UUID tenantId) {
        tx.select(DSL.function("set_config", String.class,
                DSL.val("app.tenant_id"), DSL.val(tenantId.toString()), DSL.inline(true))).fetch();
    }

    private <T> T transaction(Function<DSLContext, T> work) {
        try (Connection c = dataSource.getConnection()) {
            return run(c, SETTINGS, work);
        } catch (SQLException e) {
            throw new org.jooq.exception.DataAccessException("no database connection", e);
        }
    }

    private static final String AT_COMMIT = "thrillring.atCommit";
    private static final String AFTER_COMMIT = "thrillring.afterCommit";
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TenantScope.class);

    /**
     * Work to run once {@code tx} has committed (in-memory state that must not run ahead of the
     * database: rank indexes, caches). Dropped if the transaction rolls back.
     */
    @SuppressWarnings("unchecked")
    public static void afterCommit(DSLContext tx, Runnable work) {
        List<Runnable> after = (List<Runnable>) tx.configuration().data(AFTER_COMMIT);
        if (after == null) {
            after = new java.util.ArrayList<>();
            tx.configuration().data(AFTER_COMMIT, after);
        }
        after.add(work);
    }

    private static void runAfterCommit(List<Runnable> work) {
        for (Runnable r : work) {
            try {
                r.run();
            } catch (RuntimeException e) {
                // Committed is committed: a failing follower must not turn the answer into an error.
                log.error("work after a commit failed", e);
            }
        }
    }

    /**
     * The one transaction mechanism: runs {@code work} on {@code c}, then the work registered with
     * {@link #atCommit}, then commits; rolls back if anything throws.
     */
    static <T> T run(Connection c, Settings settings, Function<DSLContext, T> work) {
        try {
            c.setAutoCommit(false);
            try {
                DSLContext tx = DSL.using(c, SQLDialect.POSTGRES, settings);
                T result = work.apply(tx);
                @SuppressWarnings("unchecked")
                Map<Object, Runnable> hooks = (Map<Object, Runnable>) tx.configuration().data(AT_COMMIT);
                if (hooks != null) hooks.values().forEach(Runnable::run);
                c.commit();
                @SuppressWarnings("unchecked")
                List<Runnable> after = (List<Runnable>) tx.configuration().data(AFTER_COMMIT);
                if (after != null) runAfterCommit(after);
                return result;
            } catch (RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            } catch (SQLException e) {
                rollbackQuietly(c, e);
                throw new org.jooq.exception.DataAccessException("commit failed", e);
            }
        } catch (SQLException e) {
            throw new org.jooq.exception.DataAccessException("cannot begin a transaction", e);
        }
    }

    /**
     * Work that {@code tx} runs last, just before it commits: one instance per {@code key},
     * created on first use. The event log appends its rows here, so the lock that orders them is
     * held only from the end of the transaction to its commit.
     */
    @SuppressWarnings("unchecked")
    public static <H extends Runnable> H atCommit(DSLContext tx, Object key, java.util.function.Supplier<H> create) {
        Map<Object, Runnable> hooks = (Map<Object, Runnable>) tx.configuration().data(AT_COMMIT);
        if (hooks == null) {
            hooks = new java.util.LinkedHashMap<>();
            tx.configuration().data(AT_COMMIT, hooks);
        }
        return (H) hooks.computeIfAbsent(key, k -> create.get());
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
