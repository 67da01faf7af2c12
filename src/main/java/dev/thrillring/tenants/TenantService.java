package dev.thrillring.tenants;

import com.github.benmanes.caffeine.cache.Cache;
import dev.thrillring.auth.ApiKey;
import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.Caches;
import dev.thrillring.db.TenantScope;
import dev.thrillring.problems.Problem;
import dev.thrillring.problems.Problem.Violation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Creates tenants and issues their API keys; knows each tenant's platform. */
public final class TenantService {
    private final TenantScope scope;
    private final TenantStore store = new TenantStore();
    private final dev.thrillring.audit.AuditStore audit = new dev.thrillring.audit.AuditStore();
    /** A tenant's platform never changes, so it is cached for the ingestion path. */
    private final Cache<UUID, String> platformOf;
    /** A tenant's own request rate (empty: the service default); a change elsewhere shows within 10 s. */
    private final Cache<UUID, Optional<Integer>> rates;

    public TenantService(TenantScope scope, Caches caches) {
        this.scope = scope;
        this.platformOf = caches.lasting("tenant-platforms", 1_000_000);
        this.rates = caches.expiring("tenant-rate-limits", java.time.Duration.ofSeconds(10), 100_000);
    }

    /** What a client sends to create a tenant. */
    public record NewTenant(String name, String platform, String industry) {}

    /** The tenant's audit log (who changed what, before and after), newest first. */
    public java.util.List<dev.thrillring.audit.AuditStore.Entry> auditLog(Principal caller, UUID tenantId, int limit) {
        caller.require(tenantId, java.util.Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN), "read the audit log");
        return scope.inTenant(tenantId, tx -> audit.latest(tx, tenantId, limit));
    }

    /** Creates a tenant on a registered platform (platform admins only). */
    public Tenant create(Principal caller, NewTenant req) {
        if (caller.role() != Role.PLATFORM_ADMIN) throw new Problem.Forbidden("only a platform admin creates tenants");
        List<Violation> errors = new ArrayList<>();
        String name = req.name() == null ? null : req.name().strip();
        if (name == null || name.isEmpty()) errors.add(new Violation("name", "is required"));
        else if (name.length() > 255) errors.add(new Violation("name", "must have at most 255 characters"));
        if (req.platform() == null || req.platform().isBlank()) errors.add(new Violation("platform", "is required"));
        String industry = req.industry() == null || req.industry().isBlank() ? null : req.industry().strip();
        if (industry != null && industry.length() > 100) errors.add(new Violation("industry", "must have at most 100 characters"));
        if (!errors.isEmpty()) throw new Problem.Invalid(errors);
        caller.requirePlatform(req.platform());

        UUID id = UUID.randomUUID();
        Tenant t = scope.inTenant(id, tx -> {
            if (!store.platformExists(tx, req.platform())) {
                throw new Problem.Invalid("platform", "unknown platform '" + req.platform() + "'");
            }
            Tenant created = store.insert(tx, id, name, req.platform(), industry);
            Map<String, Object> after = new java.util.LinkedHashMap<>();
            after.put("name", name);
            after.put("platform", req.platform());
            if (industry != null) after.put("industry", industry);
            audit.record(tx, id, caller, "tenant.created", "tenant/" + id, null, after);
            audit.recordPlatform(tx, req.platform(), caller, "tenant.created", "tenant/" + id, null, after);
            return created;
        });
        platformOf.put(id, t.platform());
        return t;
    }

    /** The tenant, when the caller may see it. */
    public Tenant get(Principal caller, UUID tenantId) {
        caller.requireTenant(tenantId);
        return scope.inTenant(tenantId, tx -> store.find(tx, tenantId))
                .orElseThrow(() -> new Problem.NotFound("no tenant " + tenantId));
    }

    /** Issues a key with {@code role} for the tenant (its admins and platform admins). */
    public IssuedKey issueKey(Principal caller, UUID tenantId, String role) {
        return issueKey(caller, tenantId, role, null);
    }

    /**
     * As {@link #issueKey(Principal, UUID, String)}, bound to the end user {@code userId} when it is
     * not null: requests made with the key that name no user are about that user.
     */
    public IssuedKey issueKey(Principal caller, UUID tenantId, String role, String userId) {
        if (userId != null && (userId.isBlank() || userId.length() > 128 || !userId.strip().equals(userId))) {
            throw new Problem.Invalid("user_id", "must be 1 to 128 characters without surrounding spaces");
        }
        caller.requireTenant(tenantId);
        if (caller.role() != Role.PLATFORM_ADMIN && caller.role() != Role.TENANT_ADMIN) {
            throw new Problem.Forbidden("only a tenant admin issues API keys");
        }
        if (role == null) throw new Problem.Invalid("role", "is required");
        Role r = Role.tenantKeyRole(role).orElseThrow(() ->
                new Problem.Invalid("role", "must be one of tenant_admin, analyst, ingest, viewer"));
        String key = ApiKey.generate();
        return scope.inTenant(tenantId, tx -> {
            if (store.find(tx, tenantId).isEmpty()) throw new Problem.NotFound("no tenant " + tenantId);
            IssuedKey issued = store.insertKey(tx, UUID.randomUUID(), tenantId, r.wireName(), ApiKey.prefix(key), ApiKey.hash(key), key, userId);
            audit.record(tx, tenantId, caller, "api_key.issued", "api_key/" + issued.keyId(), null,
                    Map.of("role", r.wireName(), "prefix", issued.prefix()));
            return issued;
        });
    }

    /** The tenant's own request rate, or null for the service default; re-read at most every 10 s. */
    public Integer rateLimitOf(UUID tenantId) {
        return rates.get(tenantId, t -> Optional.ofNullable(scope.inTenant(t, tx -> store.rateLimit(tx, t)))).orElse(null);
    }

    /** Sets a tenant's request rate (platform admins); null returns it to the service default. */
    public Tenant setRateLimit(Principal caller, UUID tenantId, Integer perSecond) {
        if (caller.role() != Role.PLATFORM_ADMIN) throw new Problem.Forbidden("only a platform admin changes a tenant's rate limit");
        caller.requireTenant(tenantId);
        if (perSecond != null && (perSecond < 1 || perSecond > 100_000)) {
            throw new Problem.Invalid("rate_limit_per_second", "must be from 1 to 100000, or null for the default");
        }
        Tenant t = scope.inTenant(tenantId, tx -> {
            if (store.find(tx, tenantId).isEmpty()) throw new Problem.NotFound("no tenant " + tenantId);
            Integer before = store.rateLimit(tx, tenantId);
            store.setRateLimit(tx, tenantId, perSecond);
            audit.record(tx, tenantId, caller, "tenant.rate_limit_changed", "tenant/" + tenantId,
                    before == null ? null : Map.of("rate_limit_per_second", before), perSecond == null ? null : Map.of("rate_limit_per_second", perSecond));
            return store.find(tx, tenantId).orElseThrow();
        });
        rates.invalidate(tenantId);
        return t;
    }

    /** The tenant's API keys with role, creation, last use and revocation; never secrets. */
    public java.util.List<TenantStore.KeyInfo> keys(Principal caller, UUID tenantId) {
        caller.require(tenantId, java.util.Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN), "list API keys");
        return scope.inTenant(tenantId, tx -> store.keys(tx, tenantId));
    }

    /** Revokes a key at once (cached lookups expire within 5 s); audited. */
    public void revokeKey(Principal caller, UUID tenantId, UUID keyId) {
        caller.require(tenantId, java.util.Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN), "revoke API keys");
        scope.inTenant(tenantId, tx -> {
            if (!store.revoke(tx, tenantId, keyId)) throw new Problem.NotFound("no active API key " + keyId);
            dev.thrillring.auth.AuthService.announceRevocation(tx, keyId);
            audit.record(tx, tenantId, caller, "api_key.revoked", "api_key/" + keyId, Map.of("revoked", false), Map.of("revoked", true));
            return null;
        });
    }


    /** The platform of an existing tenant; empty when there is no such tenant. */
    public Optional<String> platformOf(UUID tenantId) {
        String p = platformOf.getIfPresent(tenantId);
        if (p != null) return Optional.of(p);
        Optional<String> found = scope.inTenant(tenantId, tx -> store.find(tx, tenantId)).map(Tenant::platform);
        found.ifPresent(v -> platformOf.put(tenantId, v));
        return found;
    }

    /** The platform of a tenant named by the caller; an unknown tenant is a 404 problem. */
    public String requirePlatformOf(UUID tenantId) {
        return platformOf(tenantId).orElseThrow(() -> new Problem.NotFound("no tenant " + tenantId));
    }
}
