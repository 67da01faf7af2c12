package dev.thrillring.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.db.TenantScope;
import dev.thrillring.db.TransactionSignals;
import dev.thrillring.web.Json;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Record1;
import org.jooq.Result;
import org.jooq.impl.DSL;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.EVENTS;
import static dev.thrillring.db.schema.Tables.EVENT_POSITIONS;

/**
 * The one writer and reader of the event log. {@link #append} only queues an event on its
 * transaction; the queue is written as one multi-row insert just before the transaction commits,
 * without a position. {@link #sequence} gives positions afterwards, in the order the writing
 * transactions ran, to events of transactions that have all ended: so writers of one tenant commit
 * side by side, and a reader that pages by position still never skips an event that commits later
 * (V123__event_sequencer.sql, docs/decisions.md). {@link EventSequencer} runs it.
 */
public final class EventLog {
    /** Notified with the tenant id when a tenant's events got positions (wakes deliveries and streams). */
    public static final String CHANNEL = dev.thrillring.db.Channels.EVENTS;
    /** Notified with the tenant id when a transaction that wrote a tenant's events commits (wakes the sequencer). */
    public static final String WRITTEN = dev.thrillring.db.Channels.EVENTS_WRITTEN;
    private static final ObjectMapper JSON = Json.mapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    /** Events per insert statement: 6 bind values each. */
    private static final int SLICE = 4_000;

    private EventLog() {}

    /** Queues {@code event} to be written at the end of {@code tx} (dropped if {@code tx} rolls back). */
    public static void append(DSLContext tx, Event event) {
        TenantScope.atCommit(tx, EventLog.class, () -> new Pending(tx)).add(event);
    }

    /** Queues every event of {@code events}. */
    public static void append(DSLContext tx, List<Event> events) {
        if (events.isEmpty()) return;
        Pending p = TenantScope.atCommit(tx, EventLog.class, () -> new Pending(tx));
        events.forEach(p::add);
    }

    /** A tenant's events after position {@code after}, oldest first (inside the tenant's transaction). */
    public static List<Event> read(DSLContext tx, UUID tenant, long after, int limit) {
        return tx.select(EVENTS.ID, EVENTS.TENANT_ID, EVENTS.POSITION, EVENTS.TYPE, EVENTS.SUBJECT, EVENTS.OCCURRED_AT, EVENTS.DATA)
                .from(EVENTS)
                .where(EVENTS.TENANT_ID.eq(tenant).and(EVENTS.POSITION.gt(after)))
                .orderBy(EVENTS.POSITION)
                .limit(limit)
                .fetch(r -> new Event(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6().toInstant(),
                        readMap(r.value7().data())));
    }

    /** The position of the tenant's newest event, 0 when it has none. */
    public static long lastPosition(DSLContext tx, UUID tenant) {
        Long last = tx.select(EVENT_POSITIONS.LAST_POSITION).from(EVENT_POSITIONS).where(EVENT_POSITIONS.TENANT_ID.eq(tenant))
                .fetchOne(EVENT_POSITIONS.LAST_POSITION);
        return last == null ? 0 : last;
    }

    /** What one run of {@link #sequence} did: events given positions, and whether some are still waiting. */
    public record Sequenced(int positioned, boolean waiting) {}

    /**
     * Gives the next positions of the tenant, in the order their transactions ran (then the order
     * they were written in), to at most {@code max} events that have none and whose transactions
     * are older than every transaction still running. Runs inside the tenant's transaction; takes
     * the tenant's sequencer lock first, so the statement after it sees what the previous run
     * committed. {@code waiting}: events without a position remain (a later batch, or writers
     * still running that started before newer ones ended).
     */
    public static Sequenced sequence(DSLContext tx, UUID tenant, int max) {
        TransactionSignals.lock(tx, "events-sequencer:" + tenant);
        // Data-modifying CTEs: jOOQ's DSL cannot chain them, so this one statement is a template with bind values.
        Result<Record> done = tx.resultQuery("""
                WITH todo AS (
                    SELECT id, row_number() OVER (ORDER BY xact, seq) AS n FROM events
                     WHERE tenant_id = {0} AND position IS NULL AND xact < pg_snapshot_xmin(pg_current_snapshot())
                     ORDER BY xact, seq LIMIT {1}),
                total AS (SELECT count(*) AS c FROM todo),
                counter AS (
                    INSERT INTO event_positions (tenant_id, last_position) SELECT {0}, c FROM total WHERE c > 0
                    ON CONFLICT (tenant_id) DO UPDATE SET last_position = event_positions.last_position + excluded.last_position
                    RETURNING last_position)
                UPDATE events e SET position = counter.last_position - total.c + todo.n
                  FROM todo, total, counter
                 WHERE e.tenant_id = {0} AND e.id = todo.id
                RETURNING e.position""", DSL.val(tenant), DSL.val(max)).fetch();
        boolean waiting = tx.fetchExists(DSL.selectOne().from(EVENTS).where(EVENTS.TENANT_ID.eq(tenant).and(EVENTS.POSITION.isNull())));
        if (!done.isEmpty()) TransactionSignals.notifyAtCommit(tx, CHANNEL, tenant.toString());
        return new Sequenced(done.size(), waiting);
    }

    /** Every tenant that has events without a position (the sequencer's sweep after a restart or a lost notification). */
    public static List<UUID> unsequencedTenants(DSLContext dsl) {
        return dsl.select(DSL.field("tenant_id", UUID.class)).from(DSL.table("events_unsequenced_tenants()")).fetch(Record1::value1);
    }

    /** The events a transaction has queued, by tenant; written by {@link #run} before the commit. */
    private static final class Pending implements Runnable {
        private final DSLContext tx;
        /** Tenants in a fixed order. */
        private final Map<UUID, List<Event>> byTenant = new TreeMap<>();

        Pending(DSLContext tx) { this.tx = tx; }

        void add(Event e) { byTenant.computeIfAbsent(e.tenantId(), t -> new ArrayList<>()).add(e); }

        /**
         * Queues, per tenant, the insert as statements deferred to the commit
         * ({@link TenantScope#defer}): they go with the transaction's other last statements in
         * one round trip. No lock is taken: positions come later, from {@link #sequence}.
         */
        @Override
        public void run() {
            boolean several = byTenant.size() > 1;
            for (var entry : byTenant.entrySet()) {
                UUID tenant = entry.getKey();
                List<Event> events = entry.getValue();
                // A transaction that spans tenants (public boards) writes each under its own tenant.
                if (several) TenantScope.defer(tx, setTenant(tenant));
                // In slices, so that no statement carries more bind values than the protocol counts.
                for (int from = 0; from < events.size(); from += SLICE) {
                    insert(tenant, events.subList(from, Math.min(events.size(), from + SLICE)));
                }
                // Delivered only if the transaction commits; the same payload twice in one transaction is sent once.
                TransactionSignals.notifyAtCommit(tx, WRITTEN, tenant.toString());
            }
            // The statements deferred after these run under the transaction's own tenant again.
            if (several) TenantScope.tenantOf(tx).ifPresent(t -> TenantScope.defer(tx, setTenant(t)));
        }

        /** The events, in order, as one deferred insert; PostgreSQL records the transaction and the order. */
        private void insert(UUID tenant, List<Event> events) {
            var insert = tx.insertInto(EVENTS, EVENTS.TENANT_ID, EVENTS.ID, EVENTS.TYPE, EVENTS.SUBJECT, EVENTS.OCCURRED_AT, EVENTS.DATA);
            for (Event e : events) {
                insert = insert.values(tenant, e.id(), e.type(), e.subject(), e.occurredAt().atOffset(ZoneOffset.UTC), Json.jsonb(e.data()));
            }
            TenantScope.defer(tx, insert);
        }

        private org.jooq.Query setTenant(UUID tenant) {
            return tx.query("SET LOCAL app.tenant_id = {0}", DSL.inline(tenant.toString()));
        }
    }

    private static Map<String, Object> readMap(String json) {
        try {
            return JSON.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored event data is unreadable", e);
        }
    }
}
