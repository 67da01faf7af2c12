package dev.thrillring.badges;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.thrillring.db.TenantScope;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.text.ParseException;
import java.util.List;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.BADGE_SIGNING_KEYS;

/**
 * The RS256 keys that sign badge credentials, kept in the database so every node signs with the
 * same active key and a rotation reaches them all. Retired keys sign nothing new but stay in the
 * JWKS, so every credential they signed still verifies. Private keys are stored sealed
 * ({@link KeySeal}); keys stored in the clear by an earlier version are sealed at start.
 */
public final class BadgeKeys {
    private static final dev.thrillring.db.schema.tables.BadgeSigningKeys K = BADGE_SIGNING_KEYS;
    private final TenantScope scope;
    private final DSLContext dsl;
    private final KeySeal seal;

    public BadgeKeys(TenantScope scope, KeySeal seal) {
        this.scope = scope;
        this.dsl = scope.unscoped();
        this.seal = seal;
        sealStoredKeys();
    }

    /** Seals the keys an earlier version stored in the clear; a sealed key that does not open stops the start. */
    private void sealStoredKeys() {
        for (var r : dsl.select(K.KID, K.PRIVATE_JWK).from(K).fetch()) {
            String kid = r.value1();
            String stored = r.value2();
            if (KeySeal.sealed(stored)) {
                seal.open(stored, kid);
            } else {
                dsl.update(K).set(K.PRIVATE_JWK, seal.seal(stored, kid)).where(K.KID.eq(kid)).and(K.PRIVATE_JWK.eq(stored)).execute();
            }
        }
    }

    /** The newest unretired key, created on first use. */
    RSAKey active() {
        var row = dsl.select(K.KID, K.PRIVATE_JWK).from(K).where(K.RETIRED_AT.isNull()).orderBy(K.CREATED_AT.desc()).limit(1).fetchOne();
        return row == null ? create() : parse(seal.open(row.value2(), row.value1()));
    }

    /** Retires the active keys and makes a new one; returns the new key id. */
    public String rotate() {
        return scope.platformWide(tx -> {
            tx.update(K).set(K.RETIRED_AT, DSL.currentOffsetDateTime()).where(K.RETIRED_AT.isNull()).execute();
            return insert(tx, seal).getKeyID();
        });
    }

    private RSAKey create() { return insert(dsl, seal); }

    private static RSAKey insert(DSLContext tx, KeySeal seal) {
        try {
            RSAKey key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256).generate();
            tx.insertInto(K).set(K.KID, key.getKeyID()).set(K.PRIVATE_JWK, seal.seal(key.toJSONString(), key.getKeyID()))
                    .set(K.PUBLIC_JWK, key.toPublicJWK().toJSONString()).execute();
            return key;
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate an RSA key", e);
        }
    }

    /** Every public key, active and retired, newest first. */
    public JWKSet publicKeys() {
        List<RSAKey> keys = dsl.select(K.PUBLIC_JWK).from(K).orderBy(K.CREATED_AT.desc()).fetch(K.PUBLIC_JWK).stream()
                .map(BadgeKeys::parse).toList();
        return new JWKSet(List.copyOf(keys));
    }

    private static RSAKey parse(String json) {
        try {
            return RSAKey.parse(json);
        } catch (ParseException e) {
            throw new IllegalStateException("a stored badge key is unreadable", e);
        }
    }
}
