package dev.thrillring.decisions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thrillring.web.Json;
import dev.thrillring.engine.Evaluation;
import dev.thrillring.engine.model.Outcome;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.impl.DSL;

import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.DECISIONS;
import static dev.thrillring.db.schema.Tables.FACTS;

/** Facts and their decisions; both append-only. Runs inside the caller's tenant transaction. */
final class FactStore {
    private static final ObjectMapper JSON = Json.mapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
    private static final TypeReference<List<Outcome>> OUTCOMES = new TypeReference<>() {};

    /**
     * Inserts the fact unless its id is taken. A concurrent insert of the same id waits for the
     * other transaction and then reports the id as taken.
     *
     * @return true when this call claimed the id
     */
    boolean claim(DSLContext tx, FactInput f) {
        return tx.insertInto(FACTS)
                .set(FACTS.TENANT_ID, f.tenantId()).set(FACTS.FACT_ID, f.id()).set(FACTS.USER_ID, f.userId())
                .set(FACTS.TYPE, f.type()).set(FACTS.OCCURRED_AT, f.occurredAt().atOffset(ZoneOffset.UTC))
                .set(FACTS.ATTRIBUTES, Json.jsonb(f.attributes())).set(FACTS.PAYLOAD_HASH, f.payloadHash())
                .onConflictDoNothing()
                .execute() == 1;
    }

    Decision insertDecision(DSLContext tx, FactInput f, Evaluation e) {
        var decidedAt = tx.insertInto(DECISIONS)
                .set(DECISIONS.TENANT_ID, f.tenantId()).set(DECISIONS.FACT_ID, f.id())
                .set(DECISIONS.RULE_SET_VERSION, e.ruleSetVersion())
                .set(DECISIONS.FIRED_RULES, Json.jsonb(e.firedRules())).set(DECISIONS.OUTCOMES, Json.jsonb(e.outcomes()))
                .set(DECISIONS.EVALUATION_MICROS, (int) Math.min(Integer.MAX_VALUE, e.micros()))
                .returningResult(DECISIONS.DECIDED_AT)
                .fetchOne().value1();
        return new Decision(f.id(), f.tenantId(), f.userId(), f.type(), f.occurredAt(), "decided", e.ruleSetVersion(),
                e.firedRules(), e.outcomes(), (int) e.micros(), decidedAt);
    }

    /** The ids a group's insert claimed, and the transaction's time (what {@code decided_at} defaults to). */
    record Claimed(java.util.Set<String> ids, java.time.OffsetDateTime now) {
        static Claimed of(org.jooq.Result<Record> rows) {
            java.util.Set<String> ids = new java.util.HashSet<>();
            java.time.OffsetDateTime now = null;
            for (Record r : rows) {
                ids.add(r.get(0, String.class));
                now = r.get(1, java.time.OffsetDateTime.class);
            }
            return new Claimed(ids, now);
        }
    }

    /**
     * Inserts every fact of a group whose id is not taken, in one statement; its rows are the ids
     * claimed, each with the transaction's time ({@link Claimed#of}).
     */
    org.jooq.ResultQuery<?> claimAllQuery(UUID tenantId, List<FactInput> facts) {
        var insert = DSL.insertInto(FACTS, FACTS.TENANT_ID, FACTS.FACT_ID, FACTS.USER_ID, FACTS.TYPE, FACTS.OCCURRED_AT,
                FACTS.ATTRIBUTES, FACTS.PAYLOAD_HASH);
        for (FactInput f : facts) {
            insert = insert.values(tenantId, f.id(), f.userId(), f.type(), f.occurredAt().atOffset(ZoneOffset.UTC),
                    Json.jsonb(f.attributes()), f.payloadHash());
        }
        return insert.onConflictDoNothing().returningResult(FACTS.FACT_ID, DSL.currentOffsetDateTime());
    }

    /**
     * The decisions of a group of facts, as one statement deferred to the commit; {@code decidedAt}
     * is the transaction's time, which the column would default to.
     */
    List<Decision> insertDecisions(DSLContext tx, UUID tenantId, List<FactInput> facts, List<Evaluation> evaluations,
                                   java.time.OffsetDateTime decidedAt) {
        var insert = tx.insertInto(DECISIONS, DECISIONS.TENANT_ID, DECISIONS.FACT_ID, DECISIONS.RULE_SET_VERSION,
                DECISIONS.FIRED_RULES, DECISIONS.OUTCOMES, DECISIONS.EVALUATION_MICROS, DECISIONS.DECIDED_AT);
        for (int i = 0; i < facts.size(); i++) {
            Evaluation e = evaluations.get(i);
            insert = insert.values(tenantId, facts.get(i).id(), e.ruleSetVersion(), Json.jsonb(e.firedRules()), Json.jsonb(e.outcomes()),
                    (int) Math.min(Integer.MAX_VALUE, e.micros()), decidedAt);
        }
        dev.thrillring.db.TenantScope.defer(tx, insert);
        List<Decision> out = new java.util.ArrayList<>(facts.size());
        for (int i = 0; i < facts.size(); i++) {
            FactInput f = facts.get(i);
            Evaluation e = evaluations.get(i);
            out.add(new Decision(f.id(), f.tenantId(), f.userId(), f.type(), f.occurredAt(), "decided", e.ruleSetVersion(),
                    e.firedRules(), e.outcomes(), (int) e.micros(), decidedAt));
        }
        return out;
    }

    /** A stored fact: the hash of its payload and its decision. */
    record Stored(String payloadHash, Decision decision) {}

    /** The stored facts among {@code ids} with their decisions, in one statement (see {@link #stored}). */
    org.jooq.ResultQuery<?> findAllQuery(UUID tenantId, java.util.Collection<String> ids) {
        return DSL.select(FACTS.FACT_ID, FACTS.TENANT_ID, FACTS.USER_ID, FACTS.TYPE, FACTS.OCCURRED_AT,
                        DECISIONS.RULE_SET_VERSION, DECISIONS.FIRED_RULES, DECISIONS.OUTCOMES,
                        DECISIONS.EVALUATION_MICROS, DECISIONS.DECIDED_AT, FACTS.PAYLOAD_HASH)
                .from(FACTS).join(DECISIONS)
                .on(DECISIONS.TENANT_ID.eq(FACTS.TENANT_ID).and(DECISIONS.FACT_ID.eq(FACTS.FACT_ID)))
                .where(FACTS.TENANT_ID.eq(tenantId).and(FACTS.FACT_ID.in(ids)));
    }

    /** The stored facts by id, from the result of {@link #findAllQuery}. */
    static java.util.Map<String, Stored> stored(org.jooq.Result<Record> rows) {
        java.util.Map<String, Stored> out = new java.util.HashMap<>();
        for (Record r : rows) out.put(r.get(FACTS.FACT_ID), new Stored(r.get(FACTS.PAYLOAD_HASH), toDecision(r)));
        return out;
    }

    /** The payload hash stored for a fact id; empty when the id is unknown. */
    Optional<String> payloadHash(DSLContext tx, UUID tenantId, String factId) {
        return tx.select(FACTS.PAYLOAD_HASH).from(FACTS)
                .where(FACTS.TENANT_ID.eq(tenantId).and(FACTS.FACT_ID.eq(factId)))
                .fetchOptional(FACTS.PAYLOAD_HASH);
    }

    Optional<Decision> find(DSLContext tx, UUID tenantId, String factId) {
        return select(tx).where(FACTS.TENANT_ID.eq(tenantId).and(FACTS.FACT_ID.eq(factId)))
                .fetchOptional(FactStore::toDecision);
    }

    /** The tenant's most recent decisions, newest first. */
    List<Decision> recent(DSLContext tx, UUID tenantId, int limit) {
        return select(tx).where(DECISIONS.TENANT_ID.eq(tenantId))
                .orderBy(DECISIONS.DECIDED_AT.desc(), DECISIONS.FACT_ID)
                .limit(limit)
                .fetch(FactStore::toDecision);
    }

    private static org.jooq.SelectOnConditionStep<? extends Record> select(DSLContext tx) {
        return tx.select(FACTS.FACT_ID, FACTS.TENANT_ID, FACTS.USER_ID, FACTS.TYPE, FACTS.OCCURRED_AT,
                        DECISIONS.RULE_SET_VERSION, DECISIONS.FIRED_RULES, DECISIONS.OUTCOMES,
                        DECISIONS.EVALUATION_MICROS, DECISIONS.DECIDED_AT)
                .from(FACTS).join(DECISIONS)
                .on(DECISIONS.TENANT_ID.eq(FACTS.TENANT_ID).and(DECISIONS.FACT_ID.eq(FACTS.FACT_ID)));
    }

    private static Decision toDecision(Record r) {
        return new Decision(r.get(FACTS.FACT_ID), r.get(FACTS.TENANT_ID), r.get(FACTS.USER_ID), r.get(FACTS.TYPE),
                r.get(FACTS.OCCURRED_AT).toInstant(), "decided", r.get(DECISIONS.RULE_SET_VERSION),
                read(r.get(DECISIONS.FIRED_RULES), STRINGS), read(r.get(DECISIONS.OUTCOMES), OUTCOMES),
                r.get(DECISIONS.EVALUATION_MICROS), r.get(DECISIONS.DECIDED_AT));
    }


    private static <T> T read(JSONB json, TypeReference<T> type) {
        try {
            return JSON.readValue(json.data(), type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }
}
