package dev.thrillring.badges;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.db.TenantScope;
import dev.thrillring.problems.Problem;
import dev.thrillring.problems.Problem.Violation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Open Badges 3.0: an unlocked achievement claimed as an {@code OpenBadgeCredential}, signed as a
 * VC-JWT (RS256); the issuer Profile per tenant and each Achievement, hosted; verification from the
 * published keys alone.
 */
public final class BadgeService {
    public static final List<String> CONTEXT = List.of("https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json");
    static final Set<Role> ISSUERS = Set.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.INGEST);
    private static final Pattern URI = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*:[^\\s<>\"]{1,250}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,190}\\.[^@\\s]{1,63}");
    private static final Pattern USER = Pattern.compile("[\\x21-\\x7E]{1,128}");
    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,99}");
    private final SecureRandom random = new SecureRandom();
    private final TenantScope scope;
    private final BadgeKeys keys;
    private final BadgeStore store = new BadgeStore();
    private final String publicUrl;
    private final Clock clock;

    public BadgeService(TenantScope scope, BadgeKeys keys, String publicUrl, Clock clock) {
        this.scope = scope;
        this.keys = keys;
        this.publicUrl = publicUrl;
        this.clock = clock;
    }

    /** A claim: whose unlock ({@code user_id}, absent for the business itself), which achievement, and who the subject is. */
    public record Claim(String userId, String achievement, String email, String subjectId) {}

    /** Issues (or returns the already issued) credential for the subject's latest unlock of the achievement. */
    public Map<String, Object> claim(Principal caller, UUID tenant, Claim c) {
        List<Violation> v = new ArrayList<>();
        if (c.achievement() == null || !KEY.matcher(c.achievement()).matches()) v.add(new Violation("achievement", "must be an achievement key"));
        if (c.userId() != null && !USER.matcher(c.userId()).matches()) v.add(new Violation("user_id", "must be 1 to 128 visible ASCII characters"));
        if ((c.email() == null) == (c.subjectId() == null)) v.add(new Violation("email", "give exactly one of email or subject_id"));
        if (c.email() != null && !EMAIL.matcher(c.email().strip()).matches()) v.add(new Violation("email", "must be an e-mail address"));
        if (c.subjectId() != null && !URI.matcher(c.subjectId()).matches()) v.add(new Violation("subject_id", "must be a URI (e.g. did:…, urn:…, https://…) of at most 255 characters"));
        if (!v.isEmpty()) throw new Problem.Invalid(v);
        caller.require(tenant, ISSUERS, "issue badges");
        return scope.inTenant(tenant, tx -> {
            var unlock = store.latestUnlock(tx, tenant, c.userId(), c.achievement())
                    .orElseThrow(() -> new Problem.NotFound("the subject has not unlocked " + c.achievement()));
            var existing = store.credentialOf(tx, tenant, unlock.tenantAchievementId());
            if (existing.isPresent()) return answer(existing.get().id(), existing.get().jwt(), false);
            String issuerName = store.tenantName(tx, tenant).orElseThrow();
            UUID id = UUID.randomUUID();
            RSAKey key = keys.active();
            Map<String, Object> subject = new LinkedHashMap<>();
            if (c.subjectId() != null) subject.put("id", c.subjectId());
            subject.put("type", List.of("AchievementSubject"));
            if (c.email() != null) subject.put("identifier", List.of(emailIdentity(c.email())));
            subject.put("achievement", achievementJson(tenant, unlock.achievement(), false));
            Instant validFrom = unlock.unlockedAt().toInstant().truncatedTo(ChronoUnit.SECONDS);
            Map<String, Object> vc = new LinkedHashMap<>();
            vc.put("@context", CONTEXT);
            vc.put("id", "urn:uuid:" + id);
            vc.put("type", List.of("VerifiableCredential", "OpenBadgeCredential"));
            vc.put("issuer", Map.of("id", issuerUrl(tenant), "type", List.of("Profile"), "name", issuerName));
            vc.put("validFrom", validFrom.toString());
            vc.put("name", unlock.achievement().name());
            vc.put("credentialSubject", subject);
            String jwt = sign(vc, key, validFrom, c.subjectId());
            store.insert(tx, id, tenant, unlock, c.email() != null ? "email_hash" : "platform_id", key.getKeyID(), jwt);
            return answer(id, jwt, true);
        });
    }

    private Map<String, Object> answer(UUID id, String jwt, boolean issued) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("credential_id", id.toString());
        out.put("issued", issued);
        out.put("credential", payload(jwt).get("vc"));
        out.put("credential_jwt", jwt);
        out.put("verify_url", credentialUrl(id));
        out.put("baked_png_url", credentialUrl(id) + "/badge.png");
        return out;
    }

    /** OB 3.0's hashed e-mail identity: sha256 of the normalised address and a random salt, with the salt. */
    private Map<String, Object> emailIdentity(String email) {
        byte[] salt = new byte[12];
        random.nextBytes(salt);
        String s = HexFormat.of().formatHex(salt);
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("type", "IdentityObject");
        id.put("hashed", true);
        id.put("identityHash", "sha256$" + sha256(email.strip().toLowerCase(Locale.ROOT) + s));
        id.put("identityType", "emailAddress");
        id.put("salt", s);
        return id;
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** VC-JWT as OB 3.0 describes it: the credential in {@code vc}, with iss, jti, nbf (and sub when the subject has an id). */
    private String sign(Map<String, Object> vc, RSAKey key, Instant validFrom, String subjectId) {
        @SuppressWarnings("unchecked") Map<String, Object> issuer = (Map<String, Object>) vc.get("issuer");
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer((String) issuer.get("id")).jwtID((String) vc.get("id"))
                .notBeforeTime(Date.from(validFrom)).issueTime(Date.from(clock.instant())).claim("vc", vc);
        if (subjectId != null) claims.subject(subjectId);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(keyUrl(key.getKeyID())).build(),
                claims.build());
        try {
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a credential", e);
        }
    }

    private static Map<String, Object> payload(String jwt) {
        try {
            return SignedJWT.parse(jwt).getJWTClaimsSet().toJSONObject();
        } catch (ParseException e) {
            throw new IllegalStateException("a stored credential is unreadable", e);
        }
    }

    /** The result of checking a credential against the published keys. */
    public record Verification(boolean valid, String reason, String kid) {}

    /** Verifies a compact VC-JWT with the keys of the published JWKS only. */
    public Verification verify(String compact) {
        try {
            SignedJWT jwt = SignedJWT.parse(compact);
            String kid = jwt.getHeader().getKeyID();
            if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) return new Verification(false, "not RS256", kid);
            JWK jwk = keys.publicKeys().getKeys().stream().filter(k -> keyUrl(k.getKeyID()).equals(kid)).findFirst().orElse(null);
            if (jwk == null) return new Verification(false, "signed with a key this issuer never published", kid);
            if (!jwt.verify(new RSASSAVerifier(jwk.toRSAKey()))) return new Verification(false, "the signature does not match", kid);
            return new Verification(true, "signature verified with the issuer's published key", kid);
        } catch (ParseException | JOSEException e) {
            return new Verification(false, "not a well-formed signed credential", null);
        }
    }

    /** The JWKS: every key, active or retired, with its dereferenceable key id. */
    public Map<String, Object> jwks() {
        List<Map<String, Object>> list = keys.publicKeys().getKeys().stream().map(k -> {
            Map<String, Object> j = new LinkedHashMap<>(k.toJSONObject());
            j.put("kid", keyUrl(k.getKeyID()));
            return j;
        }).toList();
        return Map.of("keys", list);
    }

    /** One public key by its id (what a credential's {@code kid} URL dereferences to). */
    public Map<String, Object> key(String id) {
        return jwks().get("keys") instanceof List<?> l ? l.stream().map(o -> (Map<?, ?>) o)
                .filter(k -> keyUrl(id).equals(k.get("kid"))).findFirst().map(k -> {
                    @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) k;
                    return m;
                }).orElseThrow(() -> new Problem.NotFound("no key " + id)) : Map.of();
    }

    /** Retires the signing key and starts a new one (operator only); old credentials stay verifiable. */
    public Map<String, Object> rotate(Principal caller) {
        if (!caller.isOperator()) throw new Problem.Forbidden("only the operator rotates badge keys");
        return Map.of("kid", keyUrl(keys.rotate()));
    }

    // ---- hosted Profile and Achievement

    /** The tenant's issuer Profile (OB 3.0). */
    public Map<String, Object> profile(UUID tenant) {
        String name = scope.inTenant(tenant, tx -> store.tenantName(tx, tenant)).orElseThrow(() -> new Problem.NotFound("no issuer " + tenant));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("@context", CONTEXT);
        p.put("id", issuerUrl(tenant));
        p.put("type", List.of("Profile"));
        p.put("name", name);
        p.put("url", issuerUrl(tenant));
        return p;
    }

    /** An Achievement of the tenant's catalogue (the platform's or its own), as JSON-LD. */
    public Map<String, Object> achievement(UUID tenant, UUID id) {
        var a = scope.inTenant(tenant, tx -> store.tenantName(tx, tenant).flatMap(n -> store.achievement(tx, id)))
                .orElseThrow(() -> new Problem.NotFound("no achievement " + id));
        return achievementJson(tenant, a, true);
    }

    /** The achievement's image. */
    public byte[] image(UUID tenant, UUID id) {
        var a = scope.inTenant(tenant, tx -> store.tenantName(tx, tenant).flatMap(n -> store.achievement(tx, id)))
                .orElseThrow(() -> new Problem.NotFound("no achievement " + id));
        return BakedPng.image(a.name(), a.platform());
    }

    private Map<String, Object> achievementJson(UUID tenant, BadgeStore.Achievement a, boolean withContext) {
        Map<String, Object> j = new LinkedHashMap<>();
        if (withContext) j.put("@context", CONTEXT);
        String url = issuerUrl(tenant) + "/achievements/" + a.id();
        j.put("id", url);
        j.put("type", List.of("Achievement"));
        j.put("name", a.name());
        j.put("description", a.description() == null || a.description().isBlank() ? a.name() : a.description());
        j.put("criteria", Map.of("narrative", narrative(a)));
        j.put("image", Map.of("id", url + "/image.png", "type", "Image"));
        return j;
    }

    /** The rule's trigger in words: what a subject did to earn it. */
    static String narrative(BadgeStore.Achievement a) {
        Map<String, Object> t = a.trigger();
        StringBuilder sb = new StringBuilder();
        if (t.get("metric") != null && t.get("threshold") != null) {
            sb.append("Reach ").append(t.get("metric")).append(' ').append(t.get("comparison") == null ? ">=" : t.get("comparison")).append(' ')
                    .append(plain(t.get("threshold")));
            if (t.get("period") != null && !"all".equals(t.get("period")) && !"all_time".equals(t.get("period"))) sb.append(" in one ").append(t.get("period"));
            sb.append(". ");
        }
        if (t.get("rule") != null) sb.append("Decided by the ").append(a.platform()).append(" rule \"").append(t.get("rule")).append("\" in ThrillRing.");
        return sb.isEmpty() ? "Awarded by ThrillRing's " + a.platform() + " rules." : sb.toString().strip();
    }

    private static String plain(Object n) {
        return n instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue()) ? Long.toString(num.longValue()) : String.valueOf(n);
    }

    // ---- public credential pages

    /** A credential found by id, with its verification against the published keys. */
    public record Hosted(UUID id, String jwt, Map<String, Object> credential, Verification verification, String issuedAt) {}

    public Hosted hosted(UUID id) {
        UUID tenant = store.tenantOf(scope.unscoped(), id).orElseThrow(() -> new Problem.NotFound("no credential " + id));
        var c = scope.inTenant(tenant, tx -> store.credential(tx, tenant, id)).orElseThrow(() -> new Problem.NotFound("no credential " + id));
        @SuppressWarnings("unchecked") Map<String, Object> vc = (Map<String, Object>) payload(c.jwt()).get("vc");
        return new Hosted(id, c.jwt(), vc, verify(c.jwt()), c.issuedAt().toInstant().toString());
    }

    /** The badge image with the credential baked in. */
    public byte[] baked(UUID id) {
        Hosted h = hosted(id);
        @SuppressWarnings("unchecked") Map<String, Object> subject = (Map<String, Object>) h.credential().get("credentialSubject");
        @SuppressWarnings("unchecked") Map<String, Object> ach = (Map<String, Object>) subject.get("achievement");
        @SuppressWarnings("unchecked") Map<String, Object> issuer = (Map<String, Object>) h.credential().get("issuer");
        return BakedPng.bake(BakedPng.image((String) ach.get("name"), String.valueOf(issuer.get("name"))), h.jwt());
    }

    String issuerUrl(UUID tenant) { return publicUrl + "/badges/issuers/" + tenant; }

    String credentialUrl(UUID id) { return publicUrl + "/badges/credentials/" + id; }

    String keyUrl(String kid) { return publicUrl + "/badges/keys/" + kid; }
}
