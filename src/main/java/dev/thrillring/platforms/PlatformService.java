package dev.thrillring.platforms;

import dev.thrillring.audit.AuditStore;
import dev.thrillring.auth.ApiKey;
import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.problems.Problem;
import dev.thrillring.db.TenantScope;
import org.jooq.DSLContext;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * What a platform admin does at platform level: issue and revoke the platform's admin keys, list
 * its tenants, read its audit log. The operator does the same for every platform.
 */
public final class PlatformService {
    private final TenantScope scope;
    private final PlatformStore store = new PlatformStore();
    private final AuditStore audit = new AuditStore();

    public PlatformService(TenantScope scope) { this.scope = scope; }

    /** A freshly issued platform admin key; {@code apiKey} is returned this once and never stored. */
    public record IssuedPlatformKey(UUID keyId, String platform, String role, String prefix, String apiKey, OffsetDateTime createdAt) {}

    public IssuedPlatformKey issueKey(Principal caller, String platform) {
        return inPlatform(caller, platform, tx -> {
            String key = ApiKey.generatePlatformKey();
            UUID id = UUID.randomUUID();
            OffsetDateTime at = store.insertKey(tx, id, platform, ApiKey.prefix(key), ApiKey.hash(key), AuditStore.actor(caller));
            audit.recordPlatform(tx, platform, caller, "platform_key.issued", "platform_key/" + id, null,
                    Map.of("prefix", ApiKey.prefix(key)));
            return new IssuedPlatformKey(id, platform, Role.PLATFORM_ADMIN.wireName(), ApiKey.prefix(key), key, at);
        });
    }

    public List<PlatformStore.KeyInfo> keys(Principal caller, String platform) {
        return inPlatform(caller, platform, tx -> store.keys(tx, platform));
    }

    /** Revokes at once; every node drops the key when the revocation commits. */
    public void revokeKey(Principal caller, String platform, UUID keyId) {
        inPlatform(caller, platform, tx -> {
            if (!store.revoke(tx, platform, keyId)) throw new Problem.NotFound("no active platform admin key " + keyId);
            dev.thrillring.auth.AuthService.announceRevocation(tx, keyId);
            audit.recordPlatform(tx, platform, caller, "platform_key.revoked", "platform_key/" + keyId,
                    Map.of("revoked", false), Map.of("revoked", true));
            return null;
        });
    }

    public List<PlatformStore.TenantRow> tenants(Principal caller, String platform) {
        return inPlatform(caller, platform, tx -> store.tenants(tx, platform));
    }

    public List<AuditStore.Entry> auditLog(Principal caller, String platform, int limit) {
        return inPlatform(caller, platform, tx -> audit.latestOfPlatform(tx, platform, limit));
    }

    private <T> T inPlatform(Principal caller, String platform, Function<DSLContext, T> work) {
        return PlatformScope.inPlatform(scope, caller, platform, "only a platform admin acts on a platform", work);
    }
}
