package dev.thrillring.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.db.TenantScope;
import dev.thrillring.web.Json;
import org.jooq.DSLContext;
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
 * transaction; the queue is written when the transaction ends, just before it commits: one
 * counter update per tenant, which takes the tenant's counter row lock until the commit, and one
 * multi-row insert. So one tenant's positions are handed out in commit order, without gaps, and a
 * reader that pages by position never skips an event that commits later with a smaller one.
 */
public final class EventLog {
    /** Notified with the tenant id when a transaction that wrote a tenant's events commits (wakes deliveries). */
    public static final String CHANNEL = "thrillring_events";
    private static final ObjectMapper JSON = Json.mapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

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

    /** The events a transaction has queued, by tenant; written by {@link #run} before the commit. */
    private static final class Pending implements Runnable {
        private final DSLContext tx;
        /** Tenants in a fixed order, so two transactions never take two counters in opposite orders. */
        private final Map<UUID, List<Event>> byTenant = new TreeMap<>();

        Pending(DSLContext tx) { this.tx = tx; }

        void add(Event e) { byTenant.computeIfAbsent(e.tenantId(), t -> new ArrayList<>()).add(e); }

        @Override
        public void run() {
            boolean several = byTenant.size() > 1;
            for (var entry : byTenant.entrySet()) {
                UUID tenant = entry.getKey();
                List<Event> events = entry.getValue();
                // A transaction that spans tenants (public boards) writes each under its own tenant.
                if (several) {
                    tx.select(DSL.function("set_config", String.class, DSL.val("app.tenant_id"), DSL.val(tenant.toString()),
                            DSL.inline(true))).fetch();
                }
                long last = tx.insertInto(EVENT_POSITIONS).set(EVENT_POSITIONS.TENANT_ID, tenant)
                        .set(EVENT_POSITIONS.LAST_POSITION, (long) events.size())
                        .onConflict(EVENT_POSITIONS.TENANT_ID).doUpdate()
                        .set(EVENT_POSITIONS.LAST_POSITION, EVENT_POSITIONS.LAST_POSITION.plus(events.size()))
                        .returningResult(EVENT_POSITIONS.LAST_POSITION)
                        .fetchOne().value1();
                long position = last - events.size();
                var insert = tx.insertInto(EVENTS, EVENTS.TENANT_ID, EVENTS.POSITION, EVENTS.ID, EVENTS.TYPE, EVENTS.SUBJECT,
                        EVENTS.OCCURRED_AT, EVENTS.DATA);
                for (Event e : events) {
                    insert = insert.values(tenant, ++position, e.id(), e.type(), e.subject(), e.occurredAt().atOffset(ZoneOffset.UTC),
                            Json.jsonb(e.data()));
                }
                insert.execute();
                // Delivered only if the transaction commits; the same payload twice in one transaction is sent once.
                dev.thrillring.db.TransactionSignals.notifyAtCommit(tx, CHANNEL, tenant.toString());
            }
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
