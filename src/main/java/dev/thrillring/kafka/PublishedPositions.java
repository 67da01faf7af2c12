package dev.thrillring.kafka;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.EVENTS;
import static dev.thrillring.db.schema.Tables.KAFKA_POSITIONS;

/** The published position of each tenant's event log: its jOOQ queries. */
final class PublishedPositions {
    private PublishedPositions() {}

    /**
     * The tenant's published position, its row locked until {@code tx} ends; empty when another
     * node holds it (that node is publishing the tenant).
     */
    static Optional<Long> lock(DSLContext tx, UUID tenant) {
        tx.insertInto(KAFKA_POSITIONS).set(KAFKA_POSITIONS.TENANT_ID, tenant).set(KAFKA_POSITIONS.LAST_POSITION, 0L)
                .onConflictDoNothing().execute();
        return tx.select(KAFKA_POSITIONS.LAST_POSITION).from(KAFKA_POSITIONS).where(KAFKA_POSITIONS.TENANT_ID.eq(tenant))
                .forUpdate().skipLocked().fetchOptional(KAFKA_POSITIONS.LAST_POSITION);
    }

    /** Moves the tenant's published position to {@code position} (the broker acknowledged everything up to it). */
    static void advance(DSLContext tx, UUID tenant, long position) {
        tx.update(KAFKA_POSITIONS).set(KAFKA_POSITIONS.LAST_POSITION, position).set(KAFKA_POSITIONS.PUBLISHED_AT, DSL.currentOffsetDateTime())
                .where(KAFKA_POSITIONS.TENANT_ID.eq(tenant)).execute();
    }

    /** When the tenant's event at {@code position} occurred, if it exists. */
    static Optional<OffsetDateTime> occurredAt(DSLContext tx, UUID tenant, long position) {
        return tx.select(EVENTS.OCCURRED_AT).from(EVENTS).where(EVENTS.TENANT_ID.eq(tenant).and(EVENTS.POSITION.eq(position)))
                .fetchOptional(EVENTS.OCCURRED_AT);
    }

    /** The tenants with events past their published position (a read across tenants, through a function that shows ids only). */
    static List<UUID> dueTenants(DSLContext dsl) {
        return dsl.select(DSL.field("tenant_id", UUID.class)).from(DSL.table("kafka_due_tenants()")).fetch(r -> r.value1());
    }
}
