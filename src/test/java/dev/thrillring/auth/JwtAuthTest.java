package dev.thrillring.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Bearer JWTs verified for real: algorithms, keys, issuer, audience, time, and claims that carry tenant and roles. */
class JwtAuthTest {
    static final String SECRET = "a-shared-secret-of-at-least-32-bytes!!";
    static TestServer app;
    static RSAKey rsa;
    static ECKey ec;
    static String tenantA;
    static String tenantB;

    @BeforeAll
    static void start() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        Path jwks = Files.createTempFile("jwks", ".json");
        Files.writeString(jwks, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString());
        app = TestServer.start(TestServer.tempDir(), c -> c.withJwt(new JwtVerifier.Settings(Optional.of(SECRET), Optional.of(jwks),
                Optional.empty(), "https://id.example", "thrillring", "tenant_id", "roles", "platform")));
        tenantA = app.createTenant("JWT A", "bizosaas");
        tenantB = app.createTenant("JWT B", "bizosaas");
    }

    @AfterAll
    static void stop() { app.close(); }

    static JWTClaimsSet.Builder claims(String tenant, Object roles) {
        return new JWTClaimsSet.Builder().subject("user-1").issuer("https://id.example").audience("thrillring")
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).claim("tenant_id", tenant).claim("roles", roles);
    }

    static String sign(JWSAlgorithm alg, JWSSigner signer, String kid, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    static int status(String token, String tenant) {
        return app.get("/api/v1/tenants/" + tenant, token).status();
    }

    @Test
    void shouldAcceptHs256Rs256AndEs256TokensWithTenantAndRolesFromClaims() throws Exception {
        assertThat(status(sign(JWSAlgorithm.HS256, new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), null, claims(tenantA, List.of("viewer")).build()), tenantA)).isEqualTo(200);
        assertThat(status(sign(JWSAlgorithm.RS256, new RSASSASigner(rsa), "rsa-1", claims(tenantA, "analyst").build()), tenantA)).isEqualTo(200);
        assertThat(status(sign(JWSAlgorithm.ES256, new ECDSASigner(ec), "ec-1", claims(tenantA, List.of("tenant_admin")).build()), tenantA)).isEqualTo(200);
        String forA = sign(JWSAlgorithm.RS256, new RSASSASigner(rsa), "rsa-1", claims(tenantA, "viewer").build());
        assertThat(status(forA, tenantB)).isEqualTo(403);
        // An ingest-only token may not read tenants.
        assertThat(status(sign(JWSAlgorithm.RS256, new RSASSASigner(rsa), "rsa-1", claims(tenantA, "ingest").build()), tenantA)).isEqualTo(403);
    }

    @Test
    void shouldRefuseForgedExpiredMisaddressedAndAlgorithmConfusedTokens() throws Exception {
        var mac = new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8));
        assertThat(status(sign(JWSAlgorithm.HS256, mac, null, claims(tenantA, "viewer").expirationTime(Date.from(Instant.now().minusSeconds(600))).build()), tenantA)).isEqualTo(401);
        assertThat(status(sign(JWSAlgorithm.HS256, mac, null, claims(tenantA, "viewer").notBeforeTime(Date.from(Instant.now().plusSeconds(600))).build()), tenantA)).isEqualTo(401);
        assertThat(status(sign(JWSAlgorithm.HS256, mac, null, claims(tenantA, "viewer").audience("someone-else").build()), tenantA)).isEqualTo(401);
        assertThat(status(sign(JWSAlgorithm.HS256, mac, null, claims(tenantA, "viewer").issuer("https://evil.example").build()), tenantA)).isEqualTo(401);
        assertThat(status(sign(JWSAlgorithm.HS256, new MACSigner("another-secret-of-at-least-32-bytes!!!".getBytes(StandardCharsets.UTF_8)), null,
                claims(tenantA, "viewer").build()), tenantA)).isEqualTo(401);
        // alg: none
        String none = new com.nimbusds.jwt.PlainJWT(claims(tenantA, "viewer").build()).serialize();
        assertThat(status(none, tenantA)).isEqualTo(401);
        // Algorithm confusion: HS256 "signed" with the public RSA key as the secret.
        byte[] publicKey = rsa.toPublicJWK().toRSAPublicKey().getEncoded();
        assertThat(status(sign(JWSAlgorithm.HS256, new MACSigner(publicKey), "rsa-1", claims(tenantA, "viewer").build()), tenantA)).isEqualTo(401);
        // A valid token with an edited payload.
        String[] parts = sign(JWSAlgorithm.RS256, new RSASSASigner(rsa), "rsa-1", claims(tenantA, "viewer").build()).split("\\.");
        String edited = parts[0] + "." + Base64URL.encode(claims(tenantB, "tenant_admin").build().toString()) + "." + parts[2];
        assertThat(status(edited, tenantB)).isEqualTo(401);
        // Unknown roles grant nothing.
        assertThat(status(sign(JWSAlgorithm.HS256, mac, null, claims(tenantA, List.of("superuser")).build()), tenantA)).isEqualTo(401);
        // API keys keep working beside JWTs.
        assertThat(app.get("/api/v1/tenants/" + tenantA, app.issueKey(tenantA, "viewer")).status()).isEqualTo(200);
    }

    @Test
    void shouldScopeAPlatformAdminTokenToThePlatformItNames() throws Exception {
        var mac = new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8));
        String dove = app.createTenant("JWT dove", "coreldove");
        String saasAdmin = sign(JWSAlgorithm.HS256, mac, null, claims(null, "platform_admin").claim("platform", "bizosaas").build());
        assertThat(status(saasAdmin, tenantA)).isEqualTo(200);
        assertThat(status(saasAdmin, dove)).isEqualTo(403);
        assertThat(app.get("/api/v1/platforms/bizosaas/tenants", saasAdmin).status()).isEqualTo(200);
        assertThat(app.get("/api/v1/platforms/coreldove/tenants", saasAdmin).status()).isEqualTo(403);
        // A token never makes an operator: without a platform it is refused.
        assertThat(status(sign(JWSAlgorithm.HS256, mac, null, claims(null, "platform_admin").build()), tenantA)).isEqualTo(401);
        assertThat(status(sign(JWSAlgorithm.HS256, mac, null, claims(null, "platform_admin").claim("platform", List.of("a")).build()), tenantA))
                .isEqualTo(401);
    }

    @Test
    void shouldFetchSigningKeysFromAJwksUrl() throws Exception {
        RSAKey served = new RSAKeyGenerator(2048).keyID("served-1").generate();
        var jwksServer = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        var jwks = new java.util.concurrent.atomic.AtomicReference<>(new JWKSet(served.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8));
        java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
        jwksServer.createContext("/.well-known/jwks.json", ex -> {
            fetches.incrementAndGet();
            byte[] body = jwks.get();
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        jwksServer.start();
        String url = "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/.well-known/jwks.json";
        try (TestServer byUrl = TestServer.start(TestServer.tempDir(), c -> c.withJwt(new JwtVerifier.Settings(Optional.empty(), Optional.empty(),
                Optional.of(url), "https://id.example", "thrillring", "tenant_id", "roles", "platform")))) {
            String t = byUrl.createTenant("JWKS by URL", "bizosaas");
            String ok = sign(JWSAlgorithm.RS256, new RSASSASigner(served), "served-1", claims(t, "viewer").build());
            assertThat(byUrl.get("/api/v1/tenants/" + t, ok).status()).isEqualTo(200);
            assertThat(fetches.get()).isPositive();
            // A key the JWKS does not hold, even under the served key's id, is refused.
            String forged = sign(JWSAlgorithm.RS256, new RSASSASigner(rsa), "served-1", claims(t, "viewer").build());
            assertThat(byUrl.get("/api/v1/tenants/" + t, forged).status()).isEqualTo(401);
            // HS256 is not configured on this server: an HMAC token is refused whatever it says.
            assertThat(byUrl.get("/api/v1/tenants/" + t, sign(JWSAlgorithm.HS256, new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), null,
                    claims(t, "viewer").build())).status()).isEqualTo(401);

            // The identity provider rotates: a token under the new key id makes the service fetch the set again.
            RSAKey rotated = new RSAKeyGenerator(2048).keyID("served-2").generate();
            jwks.set(new JWKSet(rotated.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8));
            int before = fetches.get();
            String fresh = sign(JWSAlgorithm.RS256, new RSASSASigner(rotated), "served-2", claims(t, "viewer").build());
            assertThat(byUrl.get("/api/v1/tenants/" + t, fresh).status()).as("a token under a rotated-in key").isEqualTo(200);
            assertThat(fetches.get()).isGreaterThan(before);
            assertThat(byUrl.get("/api/v1/tenants/" + t, ok).status()).as("the rotated-out key, no longer served").isEqualTo(401);
        } finally {
            jwksServer.stop(0);
        }
    }
}
