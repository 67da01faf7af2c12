package dev.thrillring.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.app.Json;
import org.jooq.DSLContext;
import org.jooq.JSONB;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.AUDIT_LOG;

/** The append-only log of administrative changes, written in the same transaction as the change. */
public final class AuditStore {
    private static final ObjectMapper JSON = Json.mapper();

    /** One entry: who did what to which target, with the state before and after. */
    public record Entry(long id, String actor, String action, String target, Object before, Object after, OffsetDateTime at) {}

    /** Records a change inside the caller's tenant transaction. */
    public void record(DSLContext tx, UUID tenantId, String actor, String action, String target, Object before, Object after) {
        tx.insertInto(AUDIT_LOG)
                .set(AUDIT_LOG.TENANT_ID, tenantId).set(AUDIT_LOG.ACTOR, actor).set(AUDIT_LOG.ACTION, action)
                .set(AUDIT_LOG.TARGET, target).set(AUDIT_LOG.BEFORE, Json.jsonb(before)).set(AUDIT_LOG.AFTER, Json.jsonb(after))
                .execute();
    }

    /** The tenant's latest entries, newest first. */
    public List<Entry> latest(DSLContext tx, UUID tenantId, int limit) {
        return tx.selectFrom(AUDIT_LOG).where(AUDIT_LOG.TENANT_ID.eq(tenantId))
                .orderBy(AUDIT_LOG.ID.desc()).limit(limit)
                .fetch(r -> new Entry(r.getId(), r.getActor(), r.getAction(), r.getTarget(),
                        read(r.getBefore()), read(r.getAfter()), r.getAt()));
    }


    private static Object read(JSONB json) {
        if (json == null) return null;
        try {
            return JSON.readValue(json.data(), Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
