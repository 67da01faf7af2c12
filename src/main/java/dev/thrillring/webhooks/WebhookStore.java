package dev.thrillring.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.thrillring.db.schema.tables.records.WebhookAttemptsRecord;
import dev.thrillring.db.schema.tables.records.WebhookEndpointsRecord;
import dev.thrillring.db.schema.tables.records.WebhookMessagesRecord;
import dev.thrillring.web.Json;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.EVENT_POSITIONS;
import static dev.thrillring.db.schema.Tables.WEBHOOK_ATTEMPTS;
import static dev.thrillring.db.schema.Tables.WEBHOOK_CURSORS;
import static dev.thrillring.db.schema.Tables.WEBHOOK_ENDPOINTS;
import static dev.thrillring.db.schema.Tables.WEBHOOK_MESSAGES;

/** The webhook tables. Every method runs in the caller's transaction ({@code tx}). */
final class WebhookStore {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = Json.mapper();

    private WebhookStore() {}

    // ---- endpoints ----------------------------------------------------------------------------

    static void insert(DSLContext tx, Endpoint e) {
        tx.insertInto(WEBHOOK_ENDPOINTS)
                .set(WEBHOOK_ENDPOINTS.ID, e.id()).set(WEBHOOK_ENDPOINTS.TENANT_ID, e.tenantId())
                .set(WEBHOOK_ENDPOINTS.PLATFORM, e.platform()).set(WEBHOOK_ENDPOINTS.URL, e.url())
                .set(WEBHOOK_ENDPOINTS.DESCRIPTION, e.description()).set(WEBHOOK_ENDPOINTS.EVENT_TYPES, Json.jsonb(e.eventTypes()))
                .set(WEBHOOK_ENDPOINTS.RATE_LIMIT_PER_SECOND, e.rateLimitPerSecond()).set(WEBHOOK_ENDPOINTS.FIFO, e.fifo())
                .set(WEBHOOK_ENDPOINTS.STATUS, e.status()).set(WEBHOOK_ENDPOINTS.SECRET, e.secret())
                .execute();
    }

    /** The endpoint {@code id} as the transaction sees it (its tenant's own, or its platform's). */
    static Optional<Endpoint> endpoint(DSLContext tx, UUID id) {
        return tx.selectFrom(WEBHOOK_ENDPOINTS).where(WEBHOOK_ENDPOINTS.ID.eq(id)).fetchOptional(WebhookStore::endpoint);
    }

    /** A tenant's own endpoints ({@code tenant} non-null) or a platform's platform-wide ones. */
    static List<Endpoint> endpoints(DSLContext tx, UUID tenant, String platform) {
        return tx.selectFrom(WEBHOOK_ENDPOINTS).where(owner(tenant, platform))
                .orderBy(WEBHOOK_ENDPOINTS.CREATED_AT, WEBHOOK_ENDPOINTS.ID).fetch(WebhookStore::endpoint);
    }

    /** The active endpoints that receive {@code tenant}'s events: its own and its platform's. */
    static List<Endpoint> activeFor(DSLContext tx, UUID tenant, String platform) {
        return tx.selectFrom(WEBHOOK_ENDPOINTS)
                .where(WEBHOOK_ENDPOINTS.STATUS.eq(Endpoint.ACTIVE))
                .and(WEBHOOK_ENDPOINTS.TENANT_ID.eq(tenant)
                        .or(WEBHOOK_ENDPOINTS.TENANT_ID.isNull().and(WEBHOOK_ENDPOINTS.PLATFORM.eq(platform))))
                .orderBy(WEBHOOK_ENDPOINTS.ID).fetch(WebhookStore::endpoint);
    }

    static Condition owner(UUID tenant, String platform) {
        return tenant != null ? WEBHOOK_ENDPOINTS.TENANT_ID.eq(tenant)
                : WEBHOOK_ENDPOINTS.TENANT_ID.isNull().and(WEBHOOK_ENDPOINTS.PLATFORM.eq(platform));
    }

    /** Replaces what a caller may change. */
    static int update(DSLContext tx, Endpoint e) {
        return tx.update(WEBHOOK_ENDPOINTS)
                .set(WEBHOOK_ENDPOINTS.URL, e.url()).set(WEBHOOK_ENDPOINTS.DESCRIPTION, e.description())
                .set(WEBHOOK_ENDPOINTS.EVENT_TYPES, Json.jsonb(e.eventTypes()))
                .set(WEBHOOK_ENDPOINTS.RATE_LIMIT_PER_SECOND, e.rateLimitPerSecond()).set(WEBHOOK_ENDPOINTS.FIFO, e.fifo())
                .set(WEBHOOK_ENDPOINTS.STATUS, e.status()).set(WEBHOOK_ENDPOINTS.DISABLED_REASON, e.disabledReason())
                .set(WEBHOOK_ENDPOINTS.FAILING_SINCE, e.status().equals(Endpoint.ACTIVE) ? null : time(e.failingSince()))
                .set(WEBHOOK_ENDPOINTS.UPDATED_AT, DSL.currentOffsetDateTime())
                .where(WEBHOOK_ENDPOINTS.ID.eq(e.id())).execute();
    }

    static void rotate(DSLContext tx, UUID id, String secret, String previous, Instant previousUntil) {
        tx.update(WEBHOOK_ENDPOINTS).set(WEBHOOK_ENDPOINTS.SECRET, secret).set(WEBHOOK_ENDPOINTS.PREVIOUS_SECRET, previous)
                .set(WEBHOOK_ENDPOINTS.PREVIOUS_SECRET_UNTIL, time(previousUntil))
                .set(WEBHOOK_ENDPOINTS.UPDATED_AT, DSL.currentOffsetDateTime())
                .where(WEBHOOK_ENDPOINTS.ID.eq(id)).execute();
    }

    static int delete(DSLContext tx, UUID id) {
        return tx.deleteFrom(WEBHOOK_ENDPOINTS).where(WEBHOOK_ENDPOINTS.ID.eq(id)).execute();
    }

    /** Records a failed attempt's effect on the endpoint: failing since when (kept if already failing). */
    static void failing(DSLContext tx, UUID id, Instant now) {
        tx.update(WEBHOOK_ENDPOINTS).set(WEBHOOK_ENDPOINTS.FAILING_SINCE, DSL.coalesce(WEBHOOK_ENDPOINTS.FAILING_SINCE, DSL.val(time(now))))
                .where(WEBHOOK_ENDPOINTS.ID.eq(id)).execute();
    }

    /** The endpoint failed every attempt since {@code since} (an attempt before it succeeded). */
    static void failingSince(DSLContext tx, UUID id, Instant since) {
        tx.update(WEBHOOK_ENDPOINTS).set(WEBHOOK_ENDPOINTS.FAILING_SINCE, time(since)).where(WEBHOOK_ENDPOINTS.ID.eq(id)).execute();
    }

    static void healthy(DSLContext tx, UUID id) {
        tx.update(WEBHOOK_ENDPOINTS).setNull(WEBHOOK_ENDPOINTS.FAILING_SINCE)
                .where(WEBHOOK_ENDPOINTS.ID.eq(id).and(WEBHOOK_ENDPOINTS.FAILING_SINCE.isNotNull())).execute();
    }

    /** Disables an active endpoint; false when it was not active any more (another node got there first). */
    static boolean disable(DSLContext tx, UUID id, String reason) {
        return tx.update(WEBHOOK_ENDPOINTS).set(WEBHOOK_ENDPOINTS.STATUS, Endpoint.DISABLED)
                .set(WEBHOOK_ENDPOINTS.DISABLED_REASON, reason).set(WEBHOOK_ENDPOINTS.UPDATED_AT, DSL.currentOffsetDateTime())
                .where(WEBHOOK_ENDPOINTS.ID.eq(id).and(WEBHOOK_ENDPOINTS.STATUS.eq(Endpoint.ACTIVE))).execute() == 1;
    }

    private static Endpoint endpoint(WebhookEndpointsRecord r) {
        return new Endpoint(r.getId(), r.getTenantId(), r.getPlatform(), r.getUrl(), r.getDescription(), strings(r.getEventTypes()),
                r.getRateLimitPerSecond(), r.getFifo(), r.getStatus(), r.getDisabledReason(), r.getSecret(), r.getPreviousSecret(),
                instant(r.getPreviousSecretUntil()), instant(r.getFailingSince()), instant(r.getCreatedAt()));
    }

    // ---- cursors ------------------------------------------------------------------------------

    /** Starts {@code endpoint}'s cursor in {@code tenant}'s log at the log's current end (events from now on). */
    static void startCursorAtEnd(DSLContext tx, UUID tenant, UUID endpoint) {
        var end = DSL.coalesce(DSL.field(DSL.select(EVENT_POSITIONS.LAST_POSITION).from(EVENT_POSITIONS)
                .where(EVENT_POSITIONS.TENANT_ID.eq(tenant))), DSL.val(0L));
        tx.insertInto(WEBHOOK_CURSORS, WEBHOOK_CURSORS.TENANT_ID, WEBHOOK_CURSORS.ENDPOINT_ID, WEBHOOK_CURSORS.LAST_POSITION)
                .select(DSL.select(DSL.val(tenant), DSL.val(endpoint), end))
                .onConflictDoNothing().execute();
    }

    /**
     * Creates {@code endpoint}'s cursor in {@code tenant}'s log at 0 (a tenant that joined the
     * platform after the endpoint was made) unless there is one; its position.
     */
    static long createCursor(DSLContext tx, UUID tenant, UUID endpoint) {
        tx.insertInto(WEBHOOK_CURSORS).set(WEBHOOK_CURSORS.TENANT_ID, tenant).set(WEBHOOK_CURSORS.ENDPOINT_ID, endpoint)
                .set(WEBHOOK_CURSORS.LAST_POSITION, 0L).onConflictDoNothing().execute();
        return tx.select(WEBHOOK_CURSORS.LAST_POSITION).from(WEBHOOK_CURSORS)
                .where(WEBHOOK_CURSORS.TENANT_ID.eq(tenant).and(WEBHOOK_CURSORS.ENDPOINT_ID.eq(endpoint)))
                .fetchOne(WEBHOOK_CURSORS.LAST_POSITION);
    }

    /** The position of {@code tenant}'s last event (0 when it has none). */
    static long logEnd(DSLContext tx, UUID tenant) {
        Long end = tx.select(EVENT_POSITIONS.LAST_POSITION).from(EVENT_POSITIONS).where(EVENT_POSITIONS.TENANT_ID.eq(tenant))
                .fetchOne(EVENT_POSITIONS.LAST_POSITION);
        return end == null ? 0 : end;
    }

    /** Every cursor of {@code tenant}'s log, by endpoint, read without locking. */
    static java.util.Map<UUID, Long> cursors(DSLContext tx, UUID tenant) {
        return tx.select(WEBHOOK_CURSORS.ENDPOINT_ID, WEBHOOK_CURSORS.LAST_POSITION).from(WEBHOOK_CURSORS)
                .where(WEBHOOK_CURSORS.TENANT_ID.eq(tenant)).fetchMap(WEBHOOK_CURSORS.ENDPOINT_ID, WEBHOOK_CURSORS.LAST_POSITION);
    }

    /**
     * Moves the cursor from {@code from} to {@code to}; false when it was not at {@code from} any
     * more (another node moved it; the row lock makes this update wait for that node's commit).
     */
    static boolean moveCursor(DSLContext tx, UUID tenant, UUID endpoint, long from, long to) {
        return tx.update(WEBHOOK_CURSORS).set(WEBHOOK_CURSORS.LAST_POSITION, to)
                .where(WEBHOOK_CURSORS.TENANT_ID.eq(tenant).and(WEBHOOK_CURSORS.ENDPOINT_ID.eq(endpoint)))
                .and(WEBHOOK_CURSORS.LAST_POSITION.eq(from)).execute() == 1;
    }

    // ---- messages -----------------------------------------------------------------------------

    /** Adds messages; one already made for the same endpoint and event is kept as it is. */
    static void insertMessages(DSLContext tx, List<Message> messages) {
        if (messages.isEmpty()) return;
        var insert = tx.insertInto(WEBHOOK_MESSAGES, WEBHOOK_MESSAGES.ID, WEBHOOK_MESSAGES.TENANT_ID, WEBHOOK_MESSAGES.ENDPOINT_ID,
                WEBHOOK_MESSAGES.WEBHOOK_ID, WEBHOOK_MESSAGES.EVENT_ID, WEBHOOK_MESSAGES.EVENT_POSITION, WEBHOOK_MESSAGES.TYPE,
                WEBHOOK_MESSAGES.BODY, WEBHOOK_MESSAGES.STATUS, WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT);
        for (Message m : messages) {
            insert = insert.values(m.id(), m.tenantId(), m.endpointId(), m.webhookId(), m.eventId(), m.eventPosition(), m.type(), m.body(),
                    m.status(), time(m.nextAttemptAt()));
        }
        insert.onConflictDoNothing().execute();
    }

    /**
     * Claims up to {@code limit} due messages of one endpoint that no other node holds, and hides
     * them until {@code leaseUntil} (counting the attempt now, so a crash mid-send still counts).
     * In FIFO mode only the oldest undelivered message can be due.
     */
    static List<Message> claim(DSLContext tx, UUID tenant, UUID endpoint, int limit, boolean fifo, Instant now, Instant leaseUntil,
                               int maxAttempts) {
        Condition mine = WEBHOOK_MESSAGES.TENANT_ID.eq(tenant).and(WEBHOOK_MESSAGES.ENDPOINT_ID.eq(endpoint))
                .and(WEBHOOK_MESSAGES.STATUS.eq(Message.PENDING));
        // A message due again after the schedule's last attempt was claimed: those attempts were
        // never recorded (the node died, or writing the outcome failed). It is dead, not retried
        // for ever: one lease after another would re-send it every minute.
        tx.update(WEBHOOK_MESSAGES).set(WEBHOOK_MESSAGES.STATUS, Message.DEAD)
                .set(WEBHOOK_MESSAGES.LAST_ERROR, "gave up: " + maxAttempts + " attempts were made and the last outcome was not recorded")
                .where(mine).and(WEBHOOK_MESSAGES.ATTEMPTS.ge(maxAttempts)).and(WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT.le(time(now)))
                .execute();
        List<UUID> ids;
        if (fifo) {
            // The head of the line; if it is not due yet, nothing behind it may pass. Claimers of
            // the line take turns on its lock: with SKIP LOCKED, a second node would skip the head
            // another one is claiming and take the message behind it, out of order.
            dev.thrillring.db.TransactionSignals.lock(tx, "webhook-fifo:" + endpoint + ":" + tenant);
            ids = tx.select(WEBHOOK_MESSAGES.ID, WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT).from(WEBHOOK_MESSAGES).where(mine)
                    .orderBy(WEBHOOK_MESSAGES.EVENT_POSITION.asc().nullsFirst(), WEBHOOK_MESSAGES.CREATED_AT).limit(1)
                    .forUpdate().fetch()
                    .stream().filter(r -> !r.value2().toInstant().isAfter(now)).map(r -> r.value1()).toList();
        } else {
            ids = tx.select(WEBHOOK_MESSAGES.ID).from(WEBHOOK_MESSAGES).where(mine)
                    .and(WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT.le(time(now)))
                    .orderBy(WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT, WEBHOOK_MESSAGES.EVENT_POSITION).limit(limit)
                    .forUpdate().skipLocked().fetch(WEBHOOK_MESSAGES.ID);
        }
        if (ids.isEmpty()) return List.of();
        return tx.update(WEBHOOK_MESSAGES).set(WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT, time(leaseUntil))
                .set(WEBHOOK_MESSAGES.ATTEMPTS, WEBHOOK_MESSAGES.ATTEMPTS.plus(1))
                .where(WEBHOOK_MESSAGES.ID.in(ids)).returning().fetch(WebhookStore::message);
    }

    /** Claimed messages that were not sent: due again at {@code at}, their attempt not counted. */
    static int release(DSLContext tx, List<Message> claimed, Instant at) {
        // Only a message still as this node claimed it (attempts unchanged: not replayed, not re-claimed elsewhere).
        List<org.jooq.Row2<UUID, Integer>> rows = claimed.stream().map(m -> DSL.row(m.id(), m.attempts())).toList();
        return tx.update(WEBHOOK_MESSAGES).set(WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT, time(at))
                .set(WEBHOOK_MESSAGES.ATTEMPTS, WEBHOOK_MESSAGES.ATTEMPTS.minus(1))
                .where(DSL.row(WEBHOOK_MESSAGES.ID, WEBHOOK_MESSAGES.ATTEMPTS).in(rows).and(WEBHOOK_MESSAGES.STATUS.eq(Message.PENDING)))
                .execute();
    }

    /** The endpoints of {@code tenant} that have due messages now. */
    static List<UUID> endpointsWithDueMessages(DSLContext tx, UUID tenant, Instant now) {
        return tx.selectDistinct(WEBHOOK_MESSAGES.ENDPOINT_ID).from(WEBHOOK_MESSAGES)
                .where(WEBHOOK_MESSAGES.TENANT_ID.eq(tenant).and(WEBHOOK_MESSAGES.STATUS.eq(Message.PENDING))
                        .and(WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT.le(time(now))))
                .fetch(WEBHOOK_MESSAGES.ENDPOINT_ID);
    }

    /** One attempt's outcome for {@link #settle}: delivered (a 2xx), retried at {@code next}, or dead. */
    record Settlement(UUID message, int attempt, String status, Integer lastStatus, String lastError, Instant next, Instant deliveredAt) {}

    /**
     * Records the outcomes of many attempts in one statement. Each is a no-op when its message was
     * replayed or recovered meanwhile (its attempts were reset), so the replay is not lost.
     */
    static int settle(DSLContext tx, List<Settlement> outcomes) {
        if (outcomes.isEmpty()) return 0;
        List<org.jooq.Row7<UUID, Integer, String, Integer, String, OffsetDateTime, OffsetDateTime>> rows = new java.util.ArrayList<>();
        for (Settlement s : outcomes) {
            rows.add(DSL.row(DSL.val(s.message(), WEBHOOK_MESSAGES.ID), DSL.val(s.attempt(), WEBHOOK_MESSAGES.ATTEMPTS),
                    DSL.val(s.status(), WEBHOOK_MESSAGES.STATUS), DSL.val(s.lastStatus(), WEBHOOK_MESSAGES.LAST_STATUS),
                    DSL.val(clip(s.lastError(), 500), WEBHOOK_MESSAGES.LAST_ERROR), DSL.val(time(s.next()), WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT),
                    DSL.val(time(s.deliveredAt()), WEBHOOK_MESSAGES.DELIVERED_AT)));
        }
        @SuppressWarnings("unchecked")
        var v = DSL.values(rows.toArray(org.jooq.Row7[]::new)).as("v", "id", "attempt", "status", "last_status", "last_error", "next_at",
                "delivered_at");
        // The casts keep each column's type when every row of it is NULL (VALUES would infer text).
        return tx.update(WEBHOOK_MESSAGES)
                .set(WEBHOOK_MESSAGES.STATUS, v.field("status", String.class))
                .set(WEBHOOK_MESSAGES.LAST_STATUS, v.field("last_status").cast(WEBHOOK_MESSAGES.LAST_STATUS.getDataType()))
                .set(WEBHOOK_MESSAGES.LAST_ERROR, v.field("last_error").cast(WEBHOOK_MESSAGES.LAST_ERROR.getDataType()))
                .set(WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT, DSL.coalesce(v.field("next_at").cast(WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT.getDataType()),
                        WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT))
                .set(WEBHOOK_MESSAGES.DELIVERED_AT, DSL.coalesce(v.field("delivered_at").cast(WEBHOOK_MESSAGES.DELIVERED_AT.getDataType()),
                        WEBHOOK_MESSAGES.DELIVERED_AT))
                .from(v)
                .where(WEBHOOK_MESSAGES.ID.eq(v.field("id", UUID.class)))
                .and(WEBHOOK_MESSAGES.ATTEMPTS.eq(v.field("attempt", Integer.class)))
                .execute();
    }

    /** A message this node holds: as of the claim that made attempt {@code attempt}, hidden until {@code leaseUntil}. */
    record Lease(UUID message, int attempt, Instant leaseUntil) {}

    /**
     * Extends the leases this node still holds; the ids it extended. A message is matched by the
     * attempt its claim counted and the lease last written, so one whose outcome was written, or
     * that was replayed or claimed by another node meanwhile, is left alone.
     */
    static List<UUID> renew(DSLContext tx, List<Lease> held, Instant leaseUntil) {
        if (held.isEmpty()) return List.of();
        List<org.jooq.Row3<UUID, Integer, OffsetDateTime>> rows = held.stream()
                .map(l -> DSL.row(l.message(), l.attempt(), time(l.leaseUntil()))).toList();
        return tx.update(WEBHOOK_MESSAGES).set(WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT, time(leaseUntil))
                .where(DSL.row(WEBHOOK_MESSAGES.ID, WEBHOOK_MESSAGES.ATTEMPTS, WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT).in(rows))
                .and(WEBHOOK_MESSAGES.STATUS.eq(Message.PENDING))
                .returning(WEBHOOK_MESSAGES.ID).fetch(WEBHOOK_MESSAGES.ID);
    }

    static List<Message> messages(DSLContext tx, UUID endpoint, String status, int limit) {
        Condition c = WEBHOOK_MESSAGES.ENDPOINT_ID.eq(endpoint);
        if (status != null) c = c.and(WEBHOOK_MESSAGES.STATUS.eq(status));
        return tx.selectFrom(WEBHOOK_MESSAGES).where(c).orderBy(WEBHOOK_MESSAGES.CREATED_AT.desc(), WEBHOOK_MESSAGES.ID).limit(limit)
                .fetch(WebhookStore::message);
    }

    static Optional<Message> message(DSLContext tx, UUID endpoint, UUID id) {
        return tx.selectFrom(WEBHOOK_MESSAGES).where(WEBHOOK_MESSAGES.ENDPOINT_ID.eq(endpoint).and(WEBHOOK_MESSAGES.ID.eq(id)))
                .fetchOptional(WebhookStore::message);
    }

    /** Puts messages back in line with a fresh schedule (replay, recovery). */
    static int requeue(DSLContext tx, Condition which, Instant now) {
        return tx.update(WEBHOOK_MESSAGES).set(WEBHOOK_MESSAGES.STATUS, Message.PENDING).set(WEBHOOK_MESSAGES.ATTEMPTS, 0)
                .set(WEBHOOK_MESSAGES.NEXT_ATTEMPT_AT, time(now)).setNull(WEBHOOK_MESSAGES.DELIVERED_AT)
                .where(which).execute();
    }

    /** Age of the oldest pending message per endpoint of {@code tenant} (the outbox lag). */
    static List<org.jooq.Record2<UUID, OffsetDateTime>> oldestPending(DSLContext tx, UUID tenant) {
        return tx.select(WEBHOOK_MESSAGES.ENDPOINT_ID, DSL.min(WEBHOOK_MESSAGES.CREATED_AT)).from(WEBHOOK_MESSAGES)
                .where(WEBHOOK_MESSAGES.TENANT_ID.eq(tenant).and(WEBHOOK_MESSAGES.STATUS.eq(Message.PENDING)))
                .groupBy(WEBHOOK_MESSAGES.ENDPOINT_ID).fetch();
    }

    private static Message message(WebhookMessagesRecord r) {
        return new Message(r.getId(), r.getTenantId(), r.getEndpointId(), r.getWebhookId(), r.getEventId(), r.getEventPosition(),
                r.getType(), r.getBody(), r.getStatus(), r.getAttempts(), instant(r.getNextAttemptAt()), r.getLastStatus(),
                r.getLastError(), instant(r.getCreatedAt()), instant(r.getDeliveredAt()));
    }

    // ---- attempts -----------------------------------------------------------------------------

    /** An attempt and the endpoint it went to. */
    record Logged(UUID endpoint, Attempt attempt) {}

    /** Appends attempts of {@code tenant}'s messages to the delivery log, in one statement. */
    static void insertAttempts(DSLContext tx, UUID tenant, List<Logged> attempts) {
        if (attempts.isEmpty()) return;
        var insert = tx.insertInto(WEBHOOK_ATTEMPTS, WEBHOOK_ATTEMPTS.ID, WEBHOOK_ATTEMPTS.TENANT_ID, WEBHOOK_ATTEMPTS.ENDPOINT_ID,
                WEBHOOK_ATTEMPTS.MESSAGE_ID, WEBHOOK_ATTEMPTS.ATTEMPT, WEBHOOK_ATTEMPTS.OUTCOME, WEBHOOK_ATTEMPTS.STATUS_CODE,
                WEBHOOK_ATTEMPTS.LATENCY_MS, WEBHOOK_ATTEMPTS.RESPONSE_EXCERPT, WEBHOOK_ATTEMPTS.ERROR, WEBHOOK_ATTEMPTS.AT);
        for (Logged l : attempts) {
            Attempt a = l.attempt();
            insert = insert.values(a.id(), tenant, l.endpoint(), a.messageId(), a.attempt(), a.outcome(), a.statusCode(), a.latencyMs(),
                    clip(a.responseExcerpt(), 500), clip(a.error(), 500), time(a.at()));
        }
        insert.execute();
    }

    static List<Attempt> attempts(DSLContext tx, UUID endpoint, int limit) {
        return tx.select(WEBHOOK_ATTEMPTS.asterisk(), WEBHOOK_MESSAGES.WEBHOOK_ID).from(WEBHOOK_ATTEMPTS)
                .join(WEBHOOK_MESSAGES).on(WEBHOOK_MESSAGES.ID.eq(WEBHOOK_ATTEMPTS.MESSAGE_ID))
                .where(WEBHOOK_ATTEMPTS.ENDPOINT_ID.eq(endpoint))
                .orderBy(WEBHOOK_ATTEMPTS.AT.desc(), WEBHOOK_ATTEMPTS.ID).limit(limit)
                .fetch(r -> {
                    WebhookAttemptsRecord a = r.into(WEBHOOK_ATTEMPTS);
                    return new Attempt(a.getId(), a.getMessageId(), r.get(WEBHOOK_MESSAGES.WEBHOOK_ID), a.getAttempt(), a.getOutcome(),
                            a.getStatusCode(), a.getLatencyMs(), a.getResponseExcerpt(), a.getError(), instant(a.getAt()));
                });
    }

    // ---- across tenants -----------------------------------------------------------------------

    /** Tenants with webhook work now (through the owner-rights function; reveals ids only). */
    /** Deletes up to {@code batch} attempts and {@code batch} messages past their retention (owner-rights function); how many. */
    static int prune(DSLContext dsl, java.time.Duration keepDelivered, java.time.Duration keepDead, int batch) {
        Integer n = dsl.select(DSL.function("webhook_prune", Integer.class,
                DSL.val(keepDelivered.toSeconds() + " seconds").cast(org.jooq.impl.SQLDataType.INTERVALDAYTOSECOND),
                DSL.val(keepDead.toSeconds() + " seconds").cast(org.jooq.impl.SQLDataType.INTERVALDAYTOSECOND),
                DSL.val(batch))).fetchOne(0, Integer.class);
        return n == null ? 0 : n;
    }

    /** An endpoint whose secret, or previous secret, is stored in the clear. */
    record Unsealed(UUID id, String secret, String previous) {}

    /** Every endpoint with a secret in the clear, across tenants (owner-rights function; empty once all are sealed). */
    static List<Unsealed> unsealedSecrets(DSLContext dsl) {
        return dsl.select(DSL.field("id", UUID.class), DSL.field("secret", String.class), DSL.field("previous_secret", String.class))
                .from(DSL.table("webhook_unsealed_secrets()")).fetch(r -> new Unsealed(r.value1(), r.value2(), r.value3()));
    }

    /** Replaces an endpoint's secrets by their sealed form, if they are still what was read (owner-rights function). */
    static boolean sealSecrets(DSLContext dsl, UUID id, String was, String sealed, String previousWas, String previousSealed) {
        return Boolean.TRUE.equals(dsl.select(DSL.function("webhook_seal_secrets", Boolean.class, DSL.val(id), DSL.val(was), DSL.val(sealed),
                DSL.val(previousWas, String.class), DSL.val(previousSealed, String.class))).fetchOne(0, Boolean.class));
    }

    static List<UUID> dueTenants(DSLContext dsl) {
        return dsl.select(DSL.field("tenant_id", UUID.class)).from(DSL.table("webhook_due_tenants()")).fetch(r -> r.value1());
    }

    static List<UUID> platformTenants(DSLContext dsl, String platform) {
        return dsl.select(DSL.field("id", UUID.class)).from(DSL.table("platform_tenants({0})", DSL.val(platform))).fetch(r -> r.value1());
    }

    // ---- helpers ------------------------------------------------------------------------------

    static OffsetDateTime time(Instant i) { return i == null ? null : i.atOffset(ZoneOffset.UTC); }

    static Instant instant(OffsetDateTime t) { return t == null ? null : t.toInstant(); }

    /**
     * At most {@code max} characters of text from outside (a receiver's answer, an error message),
     * without NUL and other control characters (PostgreSQL refuses NUL in text; the rest only
     * garble a log): each becomes U+FFFD. Tab, newline and carriage return are kept.
     */
    static String clip(String s, int max) {
        if (s == null) return null;
        String cut = s.length() <= max ? s : s.substring(0, max);
        if (cut.length() < s.length() && Character.isHighSurrogate(cut.charAt(cut.length() - 1))) cut = cut.substring(0, cut.length() - 1);
        StringBuilder b = null;
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            boolean control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c <= 0x9f);
            boolean lone = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < cut.length() && Character.isLowSurrogate(cut.charAt(i + 1)))
                    && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(cut.charAt(i - 1)));
            if (control || lone) {
                if (b == null) b = new StringBuilder(cut.substring(0, i));
                b.append('\uFFFD');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? cut : b.toString();
    }

    private static List<String> strings(org.jooq.JSONB json) {
        try {
            return JSON.readValue(json.data(), STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored event types are unreadable", e);
        }
    }
}
