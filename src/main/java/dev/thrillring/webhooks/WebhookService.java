package dev.thrillring.webhooks;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.thrillring.events.EventTypeFilter;
import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.TenantScope;
import dev.thrillring.problems.Problem;
import org.jooq.DSLContext;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import static dev.thrillring.db.schema.Tables.WEBHOOK_MESSAGES;

/**
 * Webhook endpoints of a tenant (tenant admins) or of a whole platform (platform admins): create,
 * read, change, pause or resume, delete, rotate the secret, send a test, read the delivery log and
 * dead letters, replay one message, recover everything failed since a time.
 */
public final class WebhookService {
    private static final Logger log = LoggerFactory.getLogger(WebhookService.class);
    static final Set<Role> ADMINS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN);
    static final int MAX_ENDPOINTS = 20;
    static final int MAX_RATE = 10_000;

    private final TenantScope scope;
    private final Function<UUID, Optional<String>> platformOf;
    private final WebhookSettings settings;
    private final Dispatcher dispatcher;
    private final Clock clock;
    private final dev.thrillring.db.SecretSeal seal;

    /** Also seals the secrets that an earlier version stored in the clear. */
    public WebhookService(TenantScope scope, Function<UUID, Optional<String>> platformOf, WebhookSettings settings,
                          Dispatcher dispatcher, dev.thrillring.db.SecretSeal seal, Clock clock) {
        this.scope = scope;
        this.platformOf = platformOf;
        this.settings = settings;
        this.dispatcher = dispatcher;
        this.seal = seal;
        this.clock = clock;
        sealStoredSecrets();
    }

    /**
     * Seals the secrets stored in the clear before sealing existed (every tenant's, through an
     * owner-rights function); a sealed one that this node's key cannot open stops the start.
     */
    private void sealStoredSecrets() {
        for (var r : WebhookStore.unsealedSecrets(scope.unscoped())) {
            String aad = Endpoint.aad(r.id());
            String previous = r.previous() == null ? null : seal.seal(seal.open(r.previous(), aad), aad);
            WebhookStore.sealSecrets(scope.unscoped(), r.id(), r.secret(), seal.seal(seal.open(r.secret(), aad), aad), r.previous(), previous);
        }
    }

    /** What a caller sends to create or change an endpoint; on change, absent fields stay as they are. */
    public record EndpointRequest(String url, List<String> eventTypes, String description, Integer rateLimitPerSecond, Boolean fifo,
                                  String status) {}

    /** Who owns an endpoint: a tenant, or (tenant null) a platform. */
    record Owner(UUID tenant, String platform, boolean platformAdmin) {
        boolean platformWide() { return tenant == null; }
    }

    /** Checks that {@code caller} manages {@code tenant}'s webhooks; before its body is even read. */
    public void authorise(Principal caller, UUID tenant) { caller.require(tenant, ADMINS, "manage webhooks"); }

    /** Checks that {@code caller} administers {@code platform}. */
    public void authorisePlatform(Principal caller, String platform) {
        if (caller.role() != Role.PLATFORM_ADMIN) throw new Problem.Forbidden("only a platform admin manages platform-wide webhooks");
        caller.requirePlatform(platform);
    }

    Owner tenantOwner(Principal caller, UUID tenant) {
        authorise(caller, tenant);
        String platform = platformOf.apply(tenant).orElseThrow(() -> new Problem.NotFound("no tenant " + tenant));
        return new Owner(tenant, platform, caller.role() == Role.PLATFORM_ADMIN);
    }

    Owner platformOwner(Principal caller, String platform) {
        authorisePlatform(caller, platform);
        return new Owner(null, platform, true);
    }

    private <T> T in(Owner owner, Function<DSLContext, T> work) {
        // A platform-wide endpoint's row is written without a tenant: the policy lets only such a connection write it.
        return owner.platformWide() ? work.apply(scope.unscoped()) : scope.inTenant(owner.tenant(), work);
    }

    /** Creates an endpoint; the answer carries its secret, the only time it is shown. */
    Map<String, Object> create(Owner owner, EndpointRequest r) {
        String url = checkUrl(r.url());
        EventTypeFilter filter = EventTypeFilter.parse(r.eventTypes());
        String status = r.status() == null ? Endpoint.ACTIVE : checkStatus(r.status());
        UUID id = UUID.randomUUID();
        String secret = Signature.newSecret();
        // Stored sealed: the database never holds a secret that can sign.
        Endpoint e = new Endpoint(id, owner.tenant(), owner.platform(), url, checkDescription(r.description()),
                filter.patterns(), checkRate(r.rateLimitPerSecond()), Boolean.TRUE.equals(r.fifo()), status, null,
                seal.seal(secret, Endpoint.aad(id)), null, null, null, clock.instant());
        in(owner, tx -> {
            if (WebhookStore.endpoints(tx, owner.tenant(), owner.platform()).size() >= MAX_ENDPOINTS) {
                throw new Problem.Conflict("url", "at most " + MAX_ENDPOINTS + " endpoints; delete one first");
            }
            WebhookStore.insert(tx, e);
            // From now on: the endpoint receives the events committed after it was made.
            if (!owner.platformWide()) WebhookStore.startCursorAtEnd(tx, owner.tenant(), e.id());
            return null;
        });
        if (owner.platformWide()) {
            for (UUID tenant : WebhookStore.platformTenants(scope.unscoped(), owner.platform())) {
                scope.inTenant(tenant, tx -> {
                    WebhookStore.startCursorAtEnd(tx, tenant, e.id());
                    return null;
                });
            }
        }
        return withSecret(e.view(), secret);
    }

    private static Map<String, Object> withSecret(Endpoint.View view, String secret) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("endpoint", view);
        out.put("secret", secret);
        return out;
    }

    List<Endpoint.View> list(Owner owner) {
        return in(owner, tx -> WebhookStore.endpoints(tx, owner.tenant(), owner.platform())).stream().map(Endpoint::view).toList();
    }

    Endpoint.View get(Owner owner, UUID id) { return in(owner, tx -> find(tx, owner, id)).view(); }

    private static Endpoint find(DSLContext tx, Owner owner, UUID id) {
        return WebhookStore.endpoint(tx, id)
                .filter(e -> owner.platformWide() ? e.platformWide() && e.platform().equals(owner.platform()) : owner.tenant().equals(e.tenantId()))
                .orElseThrow(() -> new Problem.NotFound("no webhook endpoint " + id));
    }

    /**
     * For the delivery log of one tenant: its own endpoints, and for its platform's admin also the
     * platform-wide ones (whose messages are kept per tenant).
     */
    private static Endpoint findForLog(DSLContext tx, Owner owner, UUID id) {
        return WebhookStore.endpoint(tx, id)
                .filter(e -> owner.tenant().equals(e.tenantId())
                        || (owner.platformAdmin() && e.platformWide() && e.platform().equals(owner.platform())))
                .orElseThrow(() -> new Problem.NotFound("no webhook endpoint " + id));
    }

    /** Changes the fields sent; {@code status} pauses ({@code paused}) or resumes ({@code active}, also after a disable). */
    Endpoint.View update(Owner owner, UUID id, EndpointRequest r) {
        String url = r.url() == null ? null : checkUrl(r.url());
        EventTypeFilter filter = r.eventTypes() == null ? null : EventTypeFilter.parse(r.eventTypes());
        String status = r.status() == null ? null : checkStatus(r.status());
        String description = checkDescription(r.description());
        Integer rate = checkRate(r.rateLimitPerSecond());
        Endpoint changed = in(owner, tx -> {
            Endpoint e = find(tx, owner, id);
            String newStatus = status == null ? e.status() : status;
            Endpoint n = new Endpoint(e.id(), e.tenantId(), e.platform(), url == null ? e.url() : url,
                    r.description() == null ? e.description() : description, filter == null ? e.eventTypes() : filter.patterns(),
                    r.rateLimitPerSecond() == null ? e.rateLimitPerSecond() : rate, r.fifo() == null ? e.fifo() : r.fifo(),
                    newStatus, newStatus.equals(Endpoint.DISABLED) ? e.disabledReason() : null, e.secret(), e.previousSecret(),
                    e.previousSecretUntil(), e.failingSince(), e.createdAt());
            WebhookStore.update(tx, n);
            return find(tx, owner, id);
        });
        if (changed.status().equals(Endpoint.ACTIVE)) dispatcher.wake();
        return changed.view();
    }

    void delete(Owner owner, UUID id) {
        in(owner, tx -> {
            find(tx, owner, id);
            return WebhookStore.delete(tx, id);
        });
        dispatcher.forget(id);
    }

    /** A new secret, shown once; the previous one keeps signing (a second signature) for the overlap. */
    Map<String, Object> rotate(Owner owner, UUID id) {
        String secret = Signature.newSecret();
        Instant until = clock.instant().plus(settings.rotationOverlap());
        Endpoint e = in(owner, tx -> {
            Endpoint old = find(tx, owner, id);
            WebhookStore.rotate(tx, id, seal.seal(secret, Endpoint.aad(id)), old.secret(), until);
            return find(tx, owner, id);
        });
        return withSecret(e.view(), secret);
    }

    /** Queues a {@code webhook.test} message for this endpoint only, whatever its filter. */
    Message.View test(Owner owner, UUID id) {
        if (owner.platformWide()) throw new Problem.Invalid("webhook_id", "send a test through a tenant's webhooks route");
        Instant now = clock.instant();
        UUID eventId = UUID.randomUUID();
        Message m = scope.inTenant(owner.tenant(), tx -> {
            Endpoint e = findForLog(tx, owner, id);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("event_id", eventId);
            data.put("tenant_id", owner.tenant());
            data.put("subject", null);
            data.put("endpoint_id", e.id());
            data.put("message", "a test event from ThrillRing");
            Message msg = new Message(UUID.randomUUID(), owner.tenant(), e.id(), Dispatcher.webhookId(eventId), eventId, null,
                    "webhook.test", Dispatcher.body("webhook.test", now, data), Message.PENDING, 0, now, null, null, now, null);
            WebhookStore.insertMessages(tx, List.of(msg));
            return msg;
        });
        dispatcher.wake();
        return m.view();
    }

    List<Message.View> messages(Owner owner, UUID id, String status, int limit) {
        if (status != null && !List.of(Message.PENDING, Message.DELIVERED, Message.DEAD).contains(status)) {
            throw new Problem.Invalid("status", "must be pending, delivered or dead");
        }
        return tenantOnly(owner, tx -> {
            findForLog(tx, owner, id);
            return WebhookStore.messages(tx, id, status, limit).stream().map(Message::view).toList();
        });
    }

    List<Attempt> attempts(Owner owner, UUID id, int limit) {
        return tenantOnly(owner, tx -> {
            findForLog(tx, owner, id);
            return WebhookStore.attempts(tx, id, limit);
        });
    }

    /** Sends one message again, with a fresh schedule, signed with the current secret. */
    Message.View replay(Owner owner, UUID id, UUID messageId) {
        Message m = tenantOnly(owner, tx -> {
            findForLog(tx, owner, id);
            WebhookStore.message(tx, id, messageId).orElseThrow(() -> new Problem.NotFound("no message " + messageId + " for this endpoint"));
            WebhookStore.requeue(tx, WEBHOOK_MESSAGES.ID.eq(messageId).and(WEBHOOK_MESSAGES.ENDPOINT_ID.eq(id)), clock.instant());
            return WebhookStore.message(tx, id, messageId).orElseThrow();
        });
        dispatcher.wake();
        return m.view();
    }

    /** Puts every dead-lettered message made since {@code since} back in line; returns how many. */
    int recover(Owner owner, UUID id, Instant since) {
        int n = tenantOnly(owner, tx -> {
            findForLog(tx, owner, id);
            return WebhookStore.requeue(tx, WEBHOOK_MESSAGES.ENDPOINT_ID.eq(id).and(WEBHOOK_MESSAGES.STATUS.eq(Message.DEAD))
                    .and(WEBHOOK_MESSAGES.CREATED_AT.ge(WebhookStore.time(since))), clock.instant());
        });
        dispatcher.wake();
        return n;
    }

    private <T> T tenantOnly(Owner owner, Function<DSLContext, T> work) {
        if (owner.platformWide()) {
            throw new Problem.Invalid("webhook_id", "a platform-wide endpoint's messages are kept per tenant; read them through the tenant's webhooks route");
        }
        return scope.inTenant(owner.tenant(), work);
    }

    // ---- checks -------------------------------------------------------------------------------

    private String checkUrl(String url) {
        checkText("url", url);
        EndpointUrl.Check check = EndpointUrl.check(url, settings.allowHttp());
        if (check.told().isPresent()) {
            // The detail may name internal addresses or names: the server's log has it, the caller does not.
            if (!check.told().equals(check.refusal())) log.info("webhook URL refused: {}", check.refusal().orElseThrow());
            throw new Problem.Invalid("url", check.told().get());
        }
        return url;
    }

    private static String checkStatus(String s) {
        if (!s.equals(Endpoint.ACTIVE) && !s.equals(Endpoint.PAUSED)) throw new Problem.Invalid("status", "must be active or paused");
        return s;
    }

    private static String checkDescription(String d) {
        if (d != null && d.length() > 500) throw new Problem.Invalid("description", "may be at most 500 characters");
        return checkText("description", d);
    }

    /**
     * Free text from a caller: no NUL or other control characters (tab, newline and carriage
     * return aside) and no unpaired surrogates. PostgreSQL refuses NUL in text, and the rest end up
     * in logs and consoles; the caller is told which field, never a 500.
     */
    static String checkText(String field, String text) {
        if (text == null) return null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c <= 0x9f)) {
                throw new Problem.Invalid(field, "must not contain control characters (found U+" + String.format("%04X", (int) c) + " at " + i + ")");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new Problem.Invalid(field, "must be valid Unicode text (unpaired surrogate at " + i + ")");
            }
        }
        return text;
    }

    private static Integer checkRate(Integer rate) {
        if (rate != null && (rate < 1 || rate > MAX_RATE)) throw new Problem.Invalid("rate_limit_per_second", "must be between 1 and " + MAX_RATE);
        return rate;
    }

    // --- for the console: the same checks and methods as the routes, for a tenant's admins ---

    /** The tenant's own endpoints (views as the API answers them). */
    public List<?> endpointsOf(Principal caller, UUID tenant) { return list(tenantOwner(caller, tenant)); }

    /** The newest messages of one of the tenant's endpoints, optionally of one status. */
    public List<?> messagesOf(Principal caller, UUID tenant, UUID endpoint, String status, int limit) {
        return messages(tenantOwner(caller, tenant), endpoint, status, limit);
    }

    /** One of the tenant's endpoints, as {@code GET .../webhooks/{id}} answers it. */
    public Object endpointOf(Principal caller, UUID tenant, UUID endpoint) { return get(tenantOwner(caller, tenant), endpoint); }

    /** Registers an endpoint of the tenant, as {@code POST .../webhooks} does: the answer carries its secret, shown once. */
    public Map<String, Object> createOf(Principal caller, UUID tenant, EndpointRequest r) { return create(tenantOwner(caller, tenant), r); }

    /** Changes the fields sent (pause, resume, filters...), as {@code PATCH .../webhooks/{id}} does. */
    public Object updateOf(Principal caller, UUID tenant, UUID endpoint, EndpointRequest r) {
        return update(tenantOwner(caller, tenant), endpoint, r);
    }

    /** Deletes one of the tenant's endpoints, as {@code DELETE .../webhooks/{id}} does. */
    public void deleteOf(Principal caller, UUID tenant, UUID endpoint) { delete(tenantOwner(caller, tenant), endpoint); }

    /** A new secret, shown once, as {@code POST .../webhooks/{id}/rotate-secret} answers it. */
    public Map<String, Object> rotateOf(Principal caller, UUID tenant, UUID endpoint) { return rotate(tenantOwner(caller, tenant), endpoint); }

    /** Queues a {@code webhook.test} message, as {@code POST .../webhooks/{id}/test} does. */
    public Object testOf(Principal caller, UUID tenant, UUID endpoint) { return test(tenantOwner(caller, tenant), endpoint); }

    /** Sends one message of the tenant's endpoint again, as {@code POST .../messages/{id}/replay} does. */
    public Object replayOf(Principal caller, UUID tenant, UUID endpoint, UUID message) {
        return replay(tenantOwner(caller, tenant), endpoint, message);
    }
}
