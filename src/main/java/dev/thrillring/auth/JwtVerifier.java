package dev.thrillring.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.thrillring.problems.Problem;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Verifies bearer JWTs (Nimbus JOSE+JWT): HS256 with a shared secret, RS256/ES256 with keys from
 * a JWKS file or URL. The algorithm must match the key kind, so a token "signed" with the public
 * RSA key as an HMAC secret is refused, as are unsigned ({@code alg: none}) tokens; issuer,
 * audience, expiry and not-before are checked. Tenant and roles come from configurable claims.
 */
public final class JwtVerifier {

    /** Operator settings; at least one key source, and the issuer and audience to expect. */
    public record Settings(Optional<String> hs256Secret, Optional<Path> jwksFile, Optional<String> jwksUrl,
                           String issuer, String audience, String tenantClaim, String rolesClaim, String platformClaim) {}

    /** Roles in the order a token holding several is given the strongest. */
    private static final List<Role> STRENGTH = List.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.INGEST, Role.VIEWER);

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Settings settings;

    public JwtVerifier(Settings s) {
        this.settings = s;
        JWSKeySelector<SecurityContext> hmac = null;
        JWSKeySelector<SecurityContext> asymmetric = null;
        try {
            if (s.hs256Secret().isPresent()) {
                byte[] secret = s.hs256Secret().get().getBytes(StandardCharsets.UTF_8);
                if (secret.length < 32) throw new IllegalArgumentException("THRILLRING_JWT_HS256_SECRET must have at least 32 bytes");
                hmac = new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(secret));
            }
            JWKSource<SecurityContext> keys = null;
            if (s.jwksFile().isPresent()) keys = new ImmutableJWKSet<>(JWKSet.load(s.jwksFile().get().toFile()));
            else if (s.jwksUrl().isPresent()) keys = JWKSourceBuilder.create(URI.create(s.jwksUrl().get()).toURL()).build();
            if (keys != null) asymmetric = new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys);
        } catch (java.io.IOException | java.text.ParseException e) {
            throw new IllegalArgumentException("cannot read the JWT keys: " + e.getMessage(), e);
        }
        if (hmac == null && asymmetric == null) throw new IllegalArgumentException("JWT needs a secret or a JWKS");
        JWSKeySelector<SecurityContext> h = hmac;
        JWSKeySelector<SecurityContext> a = asymmetric;
        processor.setJWSKeySelector((header, ctx) -> {
            if (JWSAlgorithm.HS256.equals(header.getAlgorithm()) && h != null) return h.selectJWSKeys(header, ctx);
            if ((JWSAlgorithm.RS256.equals(header.getAlgorithm()) || JWSAlgorithm.ES256.equals(header.getAlgorithm())) && a != null) {
                return a.selectJWSKeys(header, ctx);
            }
            return List.of();
        });
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(s.audience(),
                new JWTClaimsSet.Builder().issuer(s.issuer()).build(), Set.of("sub", "exp")));
    }

    /** True when the bearer token looks like a JWT rather than an API key. */
    public static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2 && token.startsWith("ey");
    }

    /** @throws Problem.Unauthenticated when the token is not valid for this service */
    public Principal verify(String token, java.util.function.Function<UUID, Optional<String>> platformOfTenant) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (Exception e) {
            throw new Problem.Unauthenticated("the token is not valid: " + e.getMessage());
        }
        List<String> roles = new ArrayList<>();
        Object r = claims.getClaim(settings.rolesClaim());
        if (r instanceof String s) roles.add(s);
        else if (r instanceof List<?> list) list.forEach(x -> roles.add(String.valueOf(x)));
        Role role = STRENGTH.stream().filter(x -> roles.contains(x.wireName())).findFirst()
                .orElseThrow(() -> new Problem.Unauthenticated("the token grants none of the roles "
                        + STRENGTH.stream().map(Role::wireName).toList() + " in claim '" + settings.rolesClaim() + "'"));
        Object tenant = claims.getClaim(settings.tenantClaim());
        if (role == Role.PLATFORM_ADMIN) {
            // A token never makes an operator: it administers the one platform it names.
            Object platform = claims.getClaim(settings.platformClaim());
            if (!(platform instanceof String p) || !p.matches("[a-z][a-z0-9_-]{1,49}")) {
                throw new Problem.Unauthenticated("a platform_admin token must name its platform in claim '" + settings.platformClaim() + "'");
            }
            return Principal.platformAdmin("jwt:" + claims.getSubject(), p, platformOfTenant);
        }
        try {
            return Principal.tenant("jwt:" + claims.getSubject(), role, UUID.fromString(String.valueOf(tenant)));
        } catch (IllegalArgumentException e) {
            throw new Problem.Unauthenticated("the token's '" + settings.tenantClaim() + "' claim is not a tenant id");
        }
    }
}
