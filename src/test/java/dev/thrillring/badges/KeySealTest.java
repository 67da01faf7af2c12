package dev.thrillring.badges;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Badge signing keys never reach the database in the clear, and a node with the wrong sealing key refuses to start. */
class KeySealTest {

    static List<String> storedPrivateKeys(TestServer app) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = app.ownerConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT private_jwk FROM badge_signing_keys")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    static String claimedCredential(TestServer app) {
        String tenant = app.createTenant("Sealed Co", "bizoholic");
        String ingest = app.issueKey(tenant, "ingest");
        var f = app.post("/api/v1/facts", ingest, "{\"id\":\"s-1\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"u-1\",\"type\":\"campaign.launched\"}");
        assertThat(f.status()).as(f.body()).isEqualTo(200);
        var r = app.post("/api/v1/badges/" + tenant + "/claims", ingest, "{\"user_id\":\"u-1\",\"achievement\":\"first-campaign\",\"email\":\"a@example.com\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("credential_jwt").asText();
    }

    static boolean verifies(TestServer app, String compact) throws Exception {
        JWKSet published = JWKSet.parse(app.get("/badges/jwks.json", null).body());
        SignedJWT jwt = SignedJWT.parse(compact);
        RSAKey key = (RSAKey) published.getKeyByKeyId(jwt.getHeader().getKeyID());
        return key != null && jwt.verify(new RSASSAVerifier(key.toRSAPublicKey()));
    }

    @Test
    void shouldStoreOnlySealedKeysSealOldOnesAtStartAndRefuseAForeignSealingKey() throws Exception {
        Path data = TestServer.tempDir();
        String credential;
        String legacyKid = "legacy-" + System.nanoTime();
        String legacyJwk;
        try (TestServer app = TestServer.start(data)) {
            credential = claimedCredential(app);
            assertThat(verifies(app, credential)).isTrue();
            List<String> stored = storedPrivateKeys(app);
            assertThat(stored).isNotEmpty().allSatisfy(s -> {
                assertThat(s).startsWith(KeySeal.PREFIX);
                // Nothing of the JWK is readable: no private exponent, no key type.
                assertThat(s).doesNotContain("\"d\"").doesNotContain("RSA");
            });
            assertThat(Files.readString(data.resolve("badge-keys.secret")).trim()).hasSize(44);
            assertThat(Files.getPosixFilePermissions(data.resolve("badge-keys.secret")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");

            // A key an earlier version stored in the clear (retired, so it only verifies).
            RSAKey legacy = new RSAKeyGenerator(2048).keyID(legacyKid).generate();
            legacyJwk = legacy.toJSONString();
            try (Connection c = app.ownerConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO badge_signing_keys (kid, private_jwk, public_jwk, created_at, retired_at) VALUES (?, ?, ?, now() - interval '1 day', now())")) {
                ps.setString(1, legacyKid);
                ps.setString(2, legacyJwk);
                ps.setString(3, legacy.toPublicJWK().toJSONString());
                ps.executeUpdate();
            }
        }
        try (TestServer again = TestServer.start(data)) {
            assertThat(storedPrivateKeys(again)).allSatisfy(s -> assertThat(s).startsWith(KeySeal.PREFIX));
            assertThat(verifies(again, credential)).isTrue();
            assertThat(JWKSet.parse(again.get("/badges/jwks.json", null).body()).getKeys()).anyMatch(k -> k.getKeyID().endsWith(legacyKid));
        }
        // Another node's sealing key: the start stops with a message that says what to do.
        byte[] other = new byte[32];
        new java.security.SecureRandom().nextBytes(other);
        Files.writeString(data.resolve("badge-keys.secret"), Base64.getEncoder().encodeToString(other) + "\n", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> TestServer.start(data).close()).hasStackTraceContaining("THRILLRING_BADGE_KEY_SECRET");
    }

    @Test
    void shouldBindASealedValueToItsKeyIdAndRefuseShortSecrets() {
        KeySeal seal = KeySeal.ofSecret("x".repeat(40));
        String sealed = seal.seal("{\"kty\":\"RSA\"}", "kid-1");
        assertThat(seal.open(sealed, "kid-1")).isEqualTo("{\"kty\":\"RSA\"}");
        // Copied onto another row, it does not open.
        assertThatThrownBy(() -> seal.open(sealed, "kid-2")).hasMessageContaining("cannot be opened");
        assertThat(seal.seal("same", "k")).isNotEqualTo(seal.seal("same", "k"));
        assertThatThrownBy(() -> KeySeal.ofSecret("short")).hasMessageContaining("at least 32");
        assertThat(KeySeal.resolve(Optional.of("y".repeat(32)), Path.of("/nonexistent")).seal("a", "b")).startsWith(KeySeal.PREFIX);
    }
}
