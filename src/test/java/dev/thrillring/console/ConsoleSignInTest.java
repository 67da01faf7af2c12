package dev.thrillring.console;

import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Signing in to the console with an API key, the session cookie, CSRF on every form, signing out and revocation. */
class ConsoleSignInTest {
    static TestServer app;
    static String tenant;
    static String admin;

    @BeforeAll
    static void setUp() {
        app = TestServer.shared();
        tenant = app.createTenant("Console sign-in", "bizoholic");
        admin = app.issueKey(tenant, "tenant_admin");
    }

    @Test
    void shouldLandANewcomerOnTheSignInPage() {
        ConsoleBrowser b = new ConsoleBrowser(app);
        ConsoleBrowser.Page root = b.get("/");
        assertThat(root.status()).isEqualTo(302);
        assertThat(root.location()).isEqualTo("/console");
        ConsoleBrowser.Page console = b.get("/console");
        assertThat(console.status()).isEqualTo(303);
        assertThat(console.location()).isEqualTo("/console/sign-in?next=%2Fconsole");
        ConsoleBrowser.Page form = b.get(console.location());
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.body()).contains("<form method=\"post\" action=\"/console/sign-in\"", "API key or JWT");
    }

    @Test
    void shouldExchangeAKeyForAStrictHttpOnlySessionCookie() {
        ConsoleBrowser b = new ConsoleBrowser(app);
        ConsoleBrowser.Page signedIn = b.signIn(admin);
        assertThat(signedIn.status()).as(signedIn.body()).isEqualTo(303);
        assertThat(signedIn.location()).isEqualTo("/console/tenants/" + tenant);
        String cookie = signedIn.setCookies().stream().filter(c -> c.startsWith(ConsoleSessions.COOKIE + "=")).findFirst().orElseThrow();
        assertThat(cookie).contains("HttpOnly", "SameSite=Strict", "Path=/console").doesNotContain(admin);
        // Served on loopback over plain HTTP: not Secure, or the browser would never send it back.
        assertThat(cookie).doesNotContain("Secure");
        ConsoleBrowser.Page overview = b.get(signedIn.location());
        assertThat(overview.status()).isEqualTo(200);
        assertThat(overview.body()).contains("Console sign-in", "Overview", "Latest decisions", "tenant admin");
    }

    @Test
    void shouldRefuseAWrongKeyOnTheSignInPage() {
        ConsoleBrowser b = new ConsoleBrowser(app);
        ConsoleBrowser.Page wrong = b.signIn("trk_nothing_like_a_real_key_at_all_000000");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).contains("unknown or revoked API key", "API key or JWT");
        ConsoleBrowser.Page ingest = b.signIn(app.issueKey(tenant, "ingest"));
        assertThat(ingest.status()).isEqualTo(403);
        assertThat(ingest.body()).contains("has no console pages");
    }

    @Test
    void shouldRefuseASignInPostWithoutTheFormsToken() {
        ConsoleBrowser b = new ConsoleBrowser(app);
        ConsoleBrowser.Page p = b.post("/console/sign-in", Map.of("credential", admin));
        assertThat(p.status()).isEqualTo(403);
        assertThat(p.setCookies()).noneMatch(c -> c.startsWith(ConsoleSessions.COOKIE + "=") && !c.startsWith(ConsoleSessions.COOKIE + "=;"));
    }

    @Test
    void shouldRefuseEveryFormPostedWithoutItsCsrfToken() {
        ConsoleBrowser b = new ConsoleBrowser(app);
        b.signIn(admin);
        ConsoleBrowser.Page noToken = b.post("/console/tenants/" + tenant + "/deactivate", Map.of("confirm", "yes"));
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(noToken.body()).contains("security token is missing or out of date");
        ConsoleBrowser.Page wrongToken = b.post("/console/sign-out", Map.of("_csrf", "not-the-token"));
        assertThat(wrongToken.status()).isEqualTo(403);
        assertThat(b.get("/console/tenants/" + tenant).status()).as("still signed in").isEqualTo(200);
    }

    @Test
    void shouldSignOutAndForgetTheSession() {
        ConsoleBrowser b = new ConsoleBrowser(app);
        b.signIn(admin);
        String token = b.csrfOf("/console/tenants/" + tenant);
        ConsoleBrowser.Page out = b.post("/console/sign-out", Map.of("_csrf", token));
        assertThat(out.status()).isEqualTo(303);
        assertThat(out.location()).isEqualTo("/console/sign-in");
        assertThat(b.get("/console/tenants/" + tenant).status()).isEqualTo(303);
    }

    @Test
    void shouldEndTheSessionWhenItsKeyIsRevoked() throws Exception {
        String key = app.issueKey(tenant, "viewer");
        ConsoleBrowser b = new ConsoleBrowser(app);
        b.signIn(key);
        assertThat(b.get("/console/tenants/" + tenant + "/decisions").status()).isEqualTo(200);
        var keys = app.get("/api/v1/tenants/" + tenant + "/api-keys", admin).json().get("api_keys");
        String keyId = null;
        for (var k : keys) if (key.startsWith(k.get("prefix").asText())) keyId = k.get("key_id").asText();
        assertThat(app.send("DELETE", "/api/v1/tenants/" + tenant + "/api-keys/" + keyId, admin, null, null).status()).isEqualTo(204);
        ConsoleBrowser.Page after = null;
        for (int i = 0; i < 60; i++) {
            after = b.get("/console/tenants/" + tenant + "/decisions");
            if (after.status() != 200) break;
            Thread.sleep(100);
        }
        assertThat(after.status()).isEqualTo(303);
        assertThat(after.location()).startsWith("/console/sign-in");
    }

    @Test
    void shouldServeHtmxFromTheJar() {
        var r = app.send("GET", "/console/assets/htmx.min.js", null, null, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("htmx");
    }
}
