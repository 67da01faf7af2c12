package dev.thrillring.auth;

import com.github.benmanes.caffeine.cache.Cache;
import dev.thrillring.db.Caches;
import dev.thrillring.problems.Problem;
import org.jooq.DSLContext;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Turns an {@code Authorization: Bearer <key>} header into a {@link Principal}. Lookups are cached
 * for a few seconds so that ingestion does not pay a query per request. A revocation is announced
 * on {@link #REVOKED_CHANNEL} at commit and every node drops the key at once; the expiry bounds
 * the damage when a node misses the announcement.
 */
public final class AuthService {
    /** {@code NOTIFY} channel carrying the id of a key just revoked. */
    public static final String REVOKED_CHANNEL = dev.thrillring.db.Channels.KEY_REVOKED;
    static final Duration CACHE_TTL = Duration.ofSeconds(5);
    private static final int CACHE_MAX = 10_000;

    private final AuthStore store;
    private final String adminKeyHash;
    /** Key hash to principal (empty: no such active key), for {@link #CACHE_TTL}. */
    private final Cache<String, Optional<Principal>> cache;

    private final Optional<JwtVerifier> jwt;
    private final Function<UUID, Optional<String>> platformOfTenant;

    /**
     * @param adminKeyHash     SHA-256 hex of the operator's key
     * @param jwt              verifier of bearer JWTs, when the operator configured one
     * @param platformOfTenant a tenant's platform, for deciding what a platform admin reaches
     */
    public AuthService(DSLContext dsl, String adminKeyHash, Optional<JwtVerifier> jwt, Function<UUID, Optional<String>> platformOfTenant,
                       Caches caches) {
        this.store = new AuthStore(dsl);
        this.cache = caches.expiring("api-keys", CACHE_TTL, CACHE_MAX);
        this.adminKeyHash = adminKeyHash;
        this.jwt = jwt;
        this.platformOfTenant = platformOfTenant;
    }

    /** @throws Problem.Unauthenticated when the header is missing, malformed or names no active key */
    public Principal authenticate(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            throw new Problem.Unauthenticated("send 'Authorization: Bearer <api key>'");
        }
        if (!authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Problem.Unauthenticated("the Authorization header must use the Bearer scheme");
        }
        String key = authorizationHeader.substring(7).trim();
        if (jwt.isPresent() && JwtVerifier.looksLikeJwt(key)) {
            if (key.length() > 8192) throw new Problem.Unauthenticated("the bearer token is too long");
            return jwt.get().verify(key, platformOfTenant);
        }
        if (key.isEmpty() || key.length() > 200) throw new Problem.Unauthenticated("the bearer token is empty or too long");
        String hash = ApiKey.hash(key);
        if (ApiKey.sameHash(hash, adminKeyHash)) return Principal.operator();

        Optional<Principal> found = cache.get(hash, h -> key.startsWith(ApiKey.PLATFORM_PREFIX)
                ? store.platformKeyFor(h).map(k -> Principal.platformAdmin(k.keyId(), k.platform(), platformOfTenant))
                : store.principalFor(h));
        return found.orElseThrow(() -> new Problem.Unauthenticated("unknown or revoked API key"));
    }

    /** Announces to every node, when {@code tx} commits, that key {@code keyId} was revoked. */
    public static void announceRevocation(DSLContext tx, UUID keyId) {
        dev.thrillring.db.TransactionSignals.notifyAtCommit(tx, REVOKED_CHANNEL, keyId.toString());
    }

    /** Handles {@link #REVOKED_CHANNEL}: the key's cached lookup is dropped, so its next use is refused. */
    public void revoked(String keyId) {
        cache.asMap().values().removeIf(p -> p.map(found -> keyId.equals(found.keyId())).orElse(false));
    }

    /** Drops every cached lookup (the notification channel was lost, and revocations with it). */
    public void forgetAll() { cache.invalidateAll(); }
}
