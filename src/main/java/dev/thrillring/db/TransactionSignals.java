package dev.thrillring.db;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * What a transaction tells the others, both released or delivered at its end: advisory locks
 * named by a string (held until commit or rollback) and notifications to the other processes
 * (delivered only if it commits; {@link Listener} receives them).
 */
public final class TransactionSignals {
    private TransactionSignals() {}

    /** Waits for, then holds until the transaction ends, the exclusive lock called {@code name}. */
    public static void lock(DSLContext tx, String name) {
        lock(tx, name, true);
    }

    /** As {@link #lock(DSLContext, String)}; a shared lock excludes only exclusive holders. */
    public static void lock(DSLContext tx, String name, boolean exclusive) {
        tx.select(DSL.function(exclusive ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared", Object.class,
                DSL.function("hashtextextended", Long.class, DSL.val(name), DSL.inline(0L)))).fetch();
    }

    /** Sends {@code payload} on {@code channel} to every listening process when the transaction commits. */
    public static void notifyAtCommit(DSLContext tx, String channel, String payload) {
        // Deferred: sent with the transaction's other last statements in one round trip.
        TenantScope.defer(tx, tx.query("NOTIFY {0}, {1}", DSL.name(channel), DSL.inline(payload)));
    }
}
