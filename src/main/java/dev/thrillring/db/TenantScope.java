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

    /**
     * Runs {@code work} in a transaction of no tenant: row-level security hides every tenant's
     * rows, and only platform-level rows (platforms, their keys and base rules, badge keys) are
     * reached. The same mechanism as {@link #inTenant}: deferred statements, work at and after
     * commit.
     */
    public <T> T platformWide(Function<DSLContext, T> work) {
        return transaction(work);
    }

    /**
     * As {@link #inTenant(UUID, Function)}, for work whose first statements do not depend on each
     * other: the tenant's setting and {@code first} go to the server as one statement text, in
     * one round trip, and {@code then} receives their results in order (each query must return
     * rows, an {@code INSERT} with {@code RETURNING} included).
     */
    public <T> T inTenant(UUID tenantId, List<? extends org.jooq.ResultQuery<?>> first,
                          java.util.function.BiFunction<DSLContext, List<org.jooq.Result<org.jooq.Record>>, T> then) {
        return transaction(tx -> {
            tx.configuration().data(TENANT, tenantId);
            List<org.jooq.ResultQuery<?>> all = new java.util.ArrayList<>(first.size() + 1);
            all.add(DSL.select(DSL.function("set_config", String.class,
                    DSL.val("app.tenant_id"), DSL.val(tenantId.toString()), DSL.inline(true))));
            all.addAll(first);
            List<org.jooq.Result<org.jooq.Record>> results = fetchTogether(tx, all);
            return then.apply(tx, results.subList(1, results.size()));
        });
    }

    /**
     * Runs queries that each return rows in one round trip: one statement text, results in order,
     * each typed by its own query's fields, by position.
     */
    public static List<org.jooq.Result<org.jooq.Record>> fetchTogether(DSLContext tx, List<? extends org.jooq.ResultQuery<?>> queries) {
        List<org.jooq.Result<org.jooq.Record>> results = new java.util.ArrayList<>(queries.size());
        for (var run : runs(tx, new java.util.ArrayList<org.jooq.ResultQuery<?>>(queries))) {
            results.addAll(together(tx, run, (st, rows) -> {
                List<org.jooq.Result<org.jooq.Record>> out = new java.util.ArrayList<>(run.size());
                while (rows || st.getUpdateCount() != -1) {
                    if (rows) {
                        if (out.size() >= run.size()) throw new IllegalStateException("more results than queries sent together");
                        try (java.sql.ResultSet rs = st.getResultSet()) {
                            out.add(tx.fetch(rs, run.get(out.size()).fields()));
                        }
                    }
                    rows = st.getMoreResults();
                }
                return out;
            }));
        }
        if (results.size() != queries.size()) {
            throw new IllegalStateException(queries.size() + " queries sent together gave " + results.size() + " results");
        }
        return results;
    }

    /** Runs statements that return no rows in one round trip, in order. */
    static void executeTogether(DSLContext tx, List<? extends org.jooq.Query> statements) {
        for (var run : runs(tx, new java.util.ArrayList<org.jooq.Query>(statements))) {
            together(tx, run, (st, rows) -> {
                while (rows || st.getUpdateCount() != -1) rows = st.getMoreResults();
                return null;
            });
        }
    }

    private interface Results<R> {
        R read(java.sql.PreparedStatement st, boolean firstIsRows) throws SQLException;
    }

    /**
     * Sends several statements as one text with their bind values (PostgreSQL's driver sends the
     * parts with one sync: one round trip), through JDBC rather than jOOQ's plain-SQL templating,
     * which would read braces and colons in the rendered text as its own placeholders. Bind
     * values stay bind values, so the server can reuse its plans.
     */
    private static <R> R together(DSLContext tx, List<? extends org.jooq.Query> queries, Results<R> read) {
        StringBuilder sql = new StringBuilder();
        List<Object> values = new java.util.ArrayList<>();
        for (var q : queries) {
            if (!sql.isEmpty()) sql.append(";\n");
            sql.append(tx.render(q));
            values.addAll(tx.extractBindValues(q));
        }
        return tx.connectionResult(c -> {
            try (java.sql.PreparedStatement st = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < values.size(); i++) bind(st, i + 1, values.get(i));
                return read.read(st, st.execute());
            }
        });
    }

    /**
     * Bind values one text may carry: the protocol counts a statement's parameters in two bytes,
     * and the driver counts those of a multi-statement text together.
     */
    static final int MAX_BINDS = 30_000;

    /** {@code queries} in consecutive runs whose bind values fit in one text (a statement above the limit goes alone). */
    private static <Q extends org.jooq.Query> List<List<Q>> runs(DSLContext tx, List<Q> queries) {
        List<List<Q>> runs = new java.util.ArrayList<>();
        List<Q> run = new java.util.ArrayList<>();
        int binds = 0;
        for (Q q : queries) {
            int n = tx.extractBindValues(q).size();
            if (!run.isEmpty() && binds + n > MAX_BINDS) {
                runs.add(run);
                run = new java.util.ArrayList<>();
                binds = 0;
            }
            run.add(q);
            binds += n;
        }
        if (!run.isEmpty()) runs.add(run);
        return runs;
    }

    private static void bind(java.sql.PreparedStatement st, int index, Object value) throws SQLException {
        switch (value) {
            case null -> st.setNull(index, java.sql.Types.OTHER);
            case org.jooq.JSONB j -> st.setObject(index, j.data(), java.sql.Types.OTHER);
            case org.jooq.JSON j -> st.setObject(index, j.data(), java.sql.Types.OTHER);
            default -> st.setObject(index, value);
        }
    }

    private static void enter(DSLContext tx, UUID tenantId) {
        tx.configuration().data(TENANT, tenantId);
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
    private static final String DEFERRED = "thrillring.deferred";
    private static final String TENANT = "thrillring.tenant";
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
                tx.configuration().data(DEFERRED, new java.util.ArrayList<org.jooq.Query>());
                T result = work.apply(tx);
                @SuppressWarnings("unchecked")
                Map<Object, Runnable> hooks = (Map<Object, Runnable>) tx.configuration().data(AT_COMMIT);
                if (hooks != null) hooks.values().forEach(Runnable::run);
                @SuppressWarnings("unchecked")
                List<org.jooq.Query> deferred = (List<org.jooq.Query>) tx.configuration().data(DEFERRED);
                if (deferred != null && !deferred.isEmpty()) executeTogether(tx, deferred);
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

    /**
     * A statement whose result nobody reads (a notification, a counter, a row appended): sent
     * with the transaction's other deferred statements as one text in one round trip, after the
     * {@link #atCommit} work and just before the commit, in the order they were deferred. It
     * must return no rows. A failure fails the commit, and so the whole transaction. In a
     * transaction this class did not open, the statement runs at once.
     */
    @SuppressWarnings("unchecked")
    public static void defer(DSLContext tx, org.jooq.Query statement) {
        List<org.jooq.Query> deferred = (List<org.jooq.Query>) tx.configuration().data(DEFERRED);
        if (deferred == null) statement.execute();
        else deferred.add(statement);
    }

    /** The tenant whose rows {@code tx} sees, when it was opened by {@link #inTenant}. */
    public static java.util.Optional<UUID> tenantOf(DSLContext tx) {
        return java.util.Optional.ofNullable((UUID) tx.configuration().data(TENANT));
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
