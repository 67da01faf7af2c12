package dev.thrillring.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.web.Json;
import dev.thrillring.auth.Principal;
import org.jooq.DSLContext;
import org.jooq.JSONB;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.AUDIT_LOG;
import static dev.thrillring.db.schema.Tables.PLATFORM_AUDIT_LOG;

/** The append-only log of administrative changes, written in the same transaction as the change. */
public final class AuditStore {
    private static final ObjectMapper JSON = Json.mapper();

    /** One entry: who did what to which target, with the state before and after. */
    public record Entry(long id, String actor, String clientAddress, String action, String target, Object before, Object after, OffsetDateTime at) {}

    /** Records a change inside the caller's tenant transaction. */
    public void record(DSLContext tx, UUID tenantId, Principal actor, String action, String target, Object before, Object after) {
        tx.insertInto(AUDIT_LOG)
                .set(AUDIT_LOG.TENANT_ID, tenantId).set(AUDIT_LOG.ACTOR, actor(actor)).set(AUDIT_LOG.CLIENT_ADDRESS, actor.client())
                .set(AUDIT_LOG.ACTION, action)
                .set(AUDIT_LOG.TARGET, target).set(AUDIT_LOG.BEFORE, Json.jsonb(before)).set(AUDIT_LOG.AFTER, Json.jsonb(after))
                .execute();
    }

    /** The tenant's latest entries, newest first. */
    public List<Entry> latest(DSLContext tx, UUID tenantId, int limit) {
        return tx.selectFrom(AUDIT_LOG).where(AUDIT_LOG.TENANT_ID.eq(tenantId))
                .orderBy(AUDIT_LOG.ID.desc()).limit(limit)
                .fetch(r -> new Entry(r.getId(), r.getActor(), r.getClientAddress(), r.getAction(), r.getTarget(),
                        read(r.getBefore()), read(r.getAfter()), r.getAt()));
    }

    /** Records a platform-level change (admin keys, tenants created) inside the caller's transaction. */
    public void recordPlatform(DSLContext tx, String platform, Principal actor, String action, String target, Object before, Object after) {
        tx.insertInto(PLATFORM_AUDIT_LOG)
                .set(PLATFORM_AUDIT_LOG.PLATFORM, platform).set(PLATFORM_AUDIT_LOG.ACTOR, actor(actor))
                .set(PLATFORM_AUDIT_LOG.CLIENT_ADDRESS, actor.client()).set(PLATFORM_AUDIT_LOG.ACTION, action)
                .set(PLATFORM_AUDIT_LOG.TARGET, target).set(PLATFORM_AUDIT_LOG.BEFORE, Json.jsonb(before))
                .set(PLATFORM_AUDIT_LOG.AFTER, Json.jsonb(after))
                .execute();
    }

    /** The platform's latest entries, newest first. */
    public List<Entry> latestOfPlatform(DSLContext tx, String platform, int limit) {
        return tx.selectFrom(PLATFORM_AUDIT_LOG).where(PLATFORM_AUDIT_LOG.PLATFORM.eq(platform))
                .orderBy(PLATFORM_AUDIT_LOG.ID.desc()).limit(limit)
                .fetch(r -> new Entry(r.getId(), r.getActor(), r.getClientAddress(), r.getAction(), r.getTarget(),
                        read(r.getBefore()), read(r.getAfter()), r.getAt()));
    }

    /** How an actor is written in both logs: role and key id (or token subject). */
    public static String actor(Principal p) {
        return p.role().wireName() + ":" + p.keyId();
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
