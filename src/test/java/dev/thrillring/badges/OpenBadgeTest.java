package dev.thrillring.badges;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import dev.thrillring.support.TestServer;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A tenant's unlocked achievement claimed as an Open Badges 3.0 credential and verified by an outsider. */
class OpenBadgeTest {
    static final TestServer app = TestServer.shared();
    static final ObjectMapper json = new ObjectMapper();
    static String tenant;
    static String ingest;

    @BeforeAll
    static void unlocked() {
        tenant = app.createTenant("Badge Co", "bizoholic");
        ingest = app.issueKey(tenant, "ingest");
        var r = app.post("/api/v1/facts", ingest, "{\"id\":\"b-1\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"u-7\",\"type\":\"campaign.launched\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** The user launches a campaign and so unlocks first-campaign. */
    static void unlock(String user) {
        var r = app.post("/api/v1/facts", ingest, "{\"id\":\"launch-" + user + "\",\"tenant_id\":\"" + tenant + "\",\"user_id\":\"" + user
                + "\",\"type\":\"campaign.launched\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    TestServer.Response claim(String body) { return app.post("/api/v1/badges/" + tenant + "/claims", ingest, body); }

    static String local(String url) { return url.replaceFirst("^https?://[^/]+", ""); }

    /** Verification as an outsider does it: the JWKS the issuer publishes, nothing else. */
    static boolean verifiesFromPublishedKeys(String compact) throws Exception {
        JWKSet published = JWKSet.parse(app.get("/badges/jwks.json", null).body());
        SignedJWT jwt = SignedJWT.parse(compact);
        RSAKey key = (RSAKey) published.getKeyByKeyId(jwt.getHeader().getKeyID());
        return key != null && jwt.verify(new RSASSAVerifier(key.toRSAPublicKey()));
    }

    @Test
    void shouldIssueAVerifiableOpenBadgeCredentialForAnUnlock() throws Exception {
        var r = claim("{\"user_id\":\"u-7\",\"achievement\":\"first-campaign\",\"email\":\"Ann@Example.com\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String compact = r.json().get("credential_jwt").asText();
        assertThat(verifiesFromPublishedKeys(compact)).isTrue();

        SignedJWT jwt = SignedJWT.parse(compact);
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
        JsonNode vc = json.valueToTree(jwt.getJWTClaimsSet().getJSONObjectClaim("vc"));
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(vc.get("issuer").get("id").asText());
        assertThat(jwt.getJWTClaimsSet().getJWTID()).isEqualTo(vc.get("id").asText()).startsWith("urn:uuid:");
        JsonNode schema = json.readTree(getClass().getResourceAsStream("/ob3/openbadgecredential-3.0.3-required.schema.json"));
        assertThat(RequiredFieldsSchema.violations(schema, vc)).isEmpty();
        assertThat(vc.get("@context").get(1).asText()).isEqualTo("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json");
        JsonNode achievement = vc.get("credentialSubject").get("achievement");
        assertThat(achievement.get("name").asText()).isEqualTo("First campaign");
        assertThat(achievement.get("criteria").get("narrative").asText()).isNotBlank();
        // The e-mail is never in the credential; its salted hash is, and it matches.
        assertThat(compact).doesNotContain("Example.com");
        JsonNode id = vc.get("credentialSubject").get("identifier").get(0);
        assertThat(id.get("identityHash").asText()).isEqualTo("sha256$" + BadgeService.sha256("ann@example.com" + id.get("salt").asText()));

        // One credential per unlock: claiming it again returns the one issued.
        var again = claim("{\"user_id\":\"u-7\",\"achievement\":\"first-campaign\",\"subject_id\":\"urn:example:other\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("credential_id").asText()).isEqualTo(r.json().get("credential_id").asText());
    }

    @Test
    void shouldCatchASchemaViolationInTheBundledSchemaCheck() throws Exception {
        JsonNode schema = json.readTree(getClass().getResourceAsStream("/ob3/openbadgecredential-3.0.3-required.schema.json"));
        var vc = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
                "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\"id\":\"urn:uuid:1\",\"type\":[\"VerifiableCredential\"],"
                        + "\"issuer\":{\"id\":\"https://x\"},\"credentialSubject\":{\"type\":[\"AchievementSubject\"],\"achievement\":{}}}");
        assertThat(RequiredFieldsSchema.violations(schema, vc)).anyMatch(v -> v.contains("validFrom"))
                .anyMatch(v -> v.contains("OpenBadgeCredential")).anyMatch(v -> v.contains("criteria"))
                .anyMatch(v -> v.contains("anyOf")).anyMatch(v -> v.contains("issuer: type is required"));
    }

    @Test
    void shouldRoundTripTheBakedPngAndLinkAVerificationPage() throws Exception {
        unlock("u-png");
        var r = claim("{\"user_id\":\"u-png\",\"achievement\":\"first-campaign\",\"subject_id\":\"did:example:u7\"}");
        String pngUrl = local(r.json().get("baked_png_url").asText());
        HttpResponse<byte[]> png = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(app.baseUrl() + pngUrl)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(png.statusCode()).isEqualTo(200);
        assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png.body()))).isNotNull();
        String baked = BakedPng.unbake(png.body()).orElseThrow();
        assertThat(baked).isEqualTo(r.json().get("credential_jwt").asText());
        assertThat(verifiesFromPublishedKeys(baked)).isTrue();

        var page = app.get(local(r.json().get("verify_url").asText()), null);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(Jsoup.parse(page.body()).selectFirst(".status").text()).startsWith("Verified");
        var ld = app.send("GET", local(r.json().get("verify_url").asText()), null, null, null, Map.of("Accept", "application/ld+json"));
        assertThat(ld.body()).contains("\"OpenBadgeCredential\"");
    }

    @Test
    void shouldServeIssuerAndAchievementAsJsonLdOrHtml() throws Exception {
        unlock("u-ld");
        var r = claim("{\"user_id\":\"u-ld\",\"achievement\":\"first-campaign\",\"subject_id\":\"urn:example:u7\"}");
        JsonNode vc = r.json().get("credential");
        String issuer = local(vc.get("issuer").get("id").asText());
        var profile = json.readTree(app.send("GET", issuer, null, null, null, Map.of("Accept", "application/ld+json")).body());
        assertThat(profile.get("type").get(0).asText()).isEqualTo("Profile");
        assertThat(profile.get("name").asText()).isEqualTo("Badge Co");
        assertThat(app.get(issuer, null).header("Content-Type")).startsWith("text/html");
        String achievement = local(vc.get("credentialSubject").get("achievement").get("id").asText());
        var a = json.readTree(app.send("GET", achievement, null, null, null, Map.of("Accept", "application/json")).body());
        assertThat(a.get("criteria").get("narrative").asText()).isNotBlank();
        assertThat(Jsoup.parse(app.get(achievement, null).body()).selectFirst("h1").text()).isEqualTo("First campaign");
        assertThat(app.get(achievement + "/image.png", null).status()).isEqualTo(200);
    }

    @Test
    void shouldKeepOldCredentialsVerifiableAfterKeyRotation() throws Exception {
        unlock("u-rot");
        String before = claim("{\"user_id\":\"u-rot\",\"achievement\":\"first-campaign\",\"subject_id\":\"urn:example:rot\"}").json().get("credential_jwt").asText();
        var rotated = app.post("/api/v1/badges/keys/rotate", TestServer.ADMIN_KEY, null);
        assertThat(rotated.status()).isEqualTo(200);
        // A new unlock, claimed after the rotation, is signed with the new key.
        unlock("u-8");
        String after = claim("{\"user_id\":\"u-8\",\"achievement\":\"first-campaign\",\"subject_id\":\"urn:example:u8\"}").json().get("credential_jwt").asText();
        assertThat(SignedJWT.parse(after).getHeader().getKeyID()).isEqualTo(rotated.json().get("kid").asText())
                .isNotEqualTo(SignedJWT.parse(before).getHeader().getKeyID());
        assertThat(verifiesFromPublishedKeys(before)).isTrue();
        assertThat(verifiesFromPublishedKeys(after)).isTrue();
        assertThat(app.get(local(SignedJWT.parse(before).getHeader().getKeyID()), null).status()).isEqualTo(200);
        var tenantAdmin = app.issueKey(tenant, "tenant_admin");
        assertThat(app.post("/api/v1/badges/keys/rotate", tenantAdmin, null).status()).isEqualTo(403);
    }

    @Test
    void shouldRefuseClaimsForLockedAchievementsAndBadSubjects() {
        assertThat(claim("{\"user_id\":\"u-7\",\"achievement\":\"campaigns-gold\",\"email\":\"a@b.co\"}").status()).isEqualTo(404);
        var both = claim("{\"achievement\":\"first-campaign\",\"email\":\"a@b.co\",\"subject_id\":\"urn:x:y\"}");
        assertThat(both.status()).isEqualTo(422);
        assertThat(both.body()).contains("email");
        assertThat(claim("{\"achievement\":\"first-campaign\",\"subject_id\":\"not a uri\"}").body()).contains("subject_id");
        unlock("u-tamper");
        var tampered = claim("{\"user_id\":\"u-tamper\",\"achievement\":\"first-campaign\",\"subject_id\":\"urn:example:t\"}").json().get("credential_jwt").asText();
        String[] parts = tampered.split("\\.");
        String forged = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
        assertThat(catching(() -> verifiesFromPublishedKeys(forged))).isFalse();
    }

    static boolean catching(java.util.concurrent.Callable<Boolean> c) {
        try {
            return c.call();
        } catch (Exception e) {
            return false;
        }
    }
}
