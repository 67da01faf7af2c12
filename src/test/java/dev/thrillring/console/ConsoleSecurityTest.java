package dev.thrillring.console;

import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The console's security headers, its CSP-clean pages, and its session and sign-in limits, over real HTTP. */
class ConsoleSecurityTest {
    static TestServer app;
    static String tenant;
    static String admin;
    private static final Pattern INLINE_SCRIPT = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE);

    @BeforeAll
    static void setUp() {
        app = TestServer.shared();
        tenant = app.createTenant("Console security", "bizoholic");
        admin = app.issueKey(tenant, "tenant_admin");
    }

    static void assertSecurityHeaders(ConsoleBrowser.Page p, String what) {
        var h = p.raw().headers();
        assertThat(h.firstValue("Content-Security-Policy")).as(what).hasValue("default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
        assertThat(h.firstValue("X-Content-Type-Options")).as(what).hasValue("nosniff");
        assertThat(h.firstValue("Referrer-Policy")).as(what).hasValue("same-origin");
        assertThat(h.firstValue("Cache-Control")).as(what).hasValue("no-store");
    }

    static void assertCspClean(ConsoleBrowser.Page p, String what) {
        assertThat(p.body()).as(what).doesNotContain("<style", " style=", "javascript:", "hx-on");
        assertThat(INLINE_SCRIPT.matcher(p.body()).find()).as(what + ": inline script").isFalse();
    }

    @Test
    void shouldSendTheSecurityHeadersOnEveryConsoleResponse() {
        ConsoleBrowser b = new ConsoleBrowser(app);
        ConsoleBrowser.Page redirect = b.get("/console");
        assertThat(redirect.status()).isEqualTo(303);
        assertSecurityHeaders(redirect, "redirect to sign-in");
        ConsoleBrowser.Page form = b.get("/console/sign-in");
        assertSecurityHeaders(form, "sign-in page");
        assertCspClean(form, "sign-in page");
        ConsoleBrowser.Page wrong = b.signIn("trk_nothing_like_a_real_key_at_all_000000");
        assertThat(wrong.status()).isEqualTo(401);
        assertSecurityHeaders(wrong, "failed sign-in");
        b.signIn(admin);
        for (String page : List.of("", "/decisions", "/versions", "/try", "/tables", "/review", "/boards")) {
            ConsoleBrowser.Page p = b.get("/console/tenants/" + tenant + page);
            assertThat(p.status()).as(page).isEqualTo(200);
            assertSecurityHeaders(p, page);
            assertCspClean(p, page);
            assertThat(p.body()).as(page).contains("<link rel=\"stylesheet\" href=\"/console/assets/console.css\">",
                    "<script src=\"/console/assets/htmx.min.js\" defer></script>", "\"allowEval\":false", "\"includeIndicatorStyles\":false");
        }
        ConsoleBrowser.Page missing = b.get("/console/tenants/" + tenant + "/boards?type=nonsense");
        assertThat(missing.status()).isEqualTo(422);
        assertSecurityHeaders(missing, "error page");
        assertCspClean(missing, "error page");
    }

    @Test
    void shouldLinkTheErrorPageBackToThePageItCameFrom() {
        ConsoleBrowser b = new ConsoleBrowser(app);
        b.signIn(admin);
        String bad = "/console/tenants/" + tenant + "/boards?type=nonsense";
        ConsoleBrowser.Page fromBoards = b.get(bad, java.util.Map.of("Referer", app.baseUrl() + "/console/tenants/" + tenant + "/boards?type=growth"));
        assertThat(fromBoards.status()).isEqualTo(422);
        assertThat(fromBoards.body()).contains("<a href=\"/console/tenants/" + tenant + "/boards?type=growth\">Go back</a>");
        ConsoleBrowser.Page fromElsewhere = b.get(bad, java.util.Map.of("Referer", "https://evil.example/elsewhere"));
        assertThat(fromElsewhere.body()).contains("<a href=\"/console\">Go back</a>");
    }

    @Test
    void shouldServeTheStyleSheetFromTheJarWithoutSniffing() {
        var css = app.send("GET", "/console/assets/console.css", null, null, null);
        assertThat(css.status()).isEqualTo(200);
        assertThat(css.body()).contains(".flush{margin:0}", "box-sizing");
        var js = app.send("GET", "/console/assets/htmx.min.js", null, null, null);
        assertThat(js.status()).isEqualTo(200);
    }

    @Test
    void shouldEndACredentialsOldestSessionInsteadOfLettingOneKeyFillTheNode() {
        String viewer = app.issueKey(tenant, "viewer");
        List<ConsoleBrowser> browsers = new java.util.ArrayList<>();
        for (int i = 0; i <= ConsoleSessions.MAX_PER_CREDENTIAL; i++) {
            ConsoleBrowser b = new ConsoleBrowser(app);
            assertThat(b.signIn(viewer).status()).isEqualTo(303);
            browsers.add(b);
        }
        String page = "/console/tenants/" + tenant + "/decisions";
        ConsoleBrowser.Page oldest = browsers.getFirst().get(page);
        assertThat(oldest.status()).as("the first of eleven sessions of one key").isEqualTo(303);
        assertThat(oldest.location()).startsWith("/console/sign-in");
        for (ConsoleBrowser b : browsers.subList(1, browsers.size())) assertThat(b.get(page).status()).isEqualTo(200);
        // Another key signs in as ever.
        ConsoleBrowser other = new ConsoleBrowser(app);
        assertThat(other.signIn(admin).status()).isEqualTo(303);
        assertThat(other.get(page).status()).isEqualTo(200);
    }

    /** A clock the test moves. */
    static final class Manual extends java.time.Clock {
        java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");
        @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
        @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public java.time.Instant instant() { return now; }
        void advance(java.time.Duration d) { now = now.plus(d); }
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedSessionWhenTheNodeIsFull() {
        Manual clock = new Manual();
        ConsoleSessions sessions = new ConsoleSessions(clock, ctx -> false, "https://console.example", 3, 10);
        String a = sessions.open("key-a", "a");
        clock.advance(java.time.Duration.ofSeconds(1));
        String b = sessions.open("key-b", "b");
        clock.advance(java.time.Duration.ofSeconds(1));
        String c = sessions.open("key-c", "c");
        clock.advance(java.time.Duration.ofSeconds(1));
        assertThat(sessions.find(a, true)).isPresent(); // a is now the most recently used; b the least
        String d = sessions.open("key-d", "d");
        assertThat(sessions.open()).isEqualTo(3);
        assertThat(sessions.find(b, true)).isEmpty();
        assertThat(sessions.find(a, true)).isPresent();
        assertThat(sessions.find(c, true)).isPresent();
        assertThat(sessions.find(d, true)).isPresent();
    }

    @Test
    void shouldLetAnIdlePollingPageExpire() {
        Manual clock = new Manual();
        ConsoleSessions sessions = new ConsoleSessions(clock, ctx -> false, "https://console.example");
        String id = sessions.open("key", "who");
        for (int i = 0; i < 5; i++) {
            clock.advance(java.time.Duration.ofMinutes(5));
            assertThat(sessions.find(id, false)).as("poll %d", i).isPresent();
        }
        clock.advance(java.time.Duration.ofMinutes(6));
        assertThat(sessions.find(id, false)).as("31 minutes of polling alone, 6 since the last poll").isEmpty();
        String active = sessions.open("key", "who");
        clock.advance(java.time.Duration.ofMinutes(20));
        assertThat(sessions.find(active, true)).isPresent();
        clock.advance(java.time.Duration.ofMinutes(20));
        assertThat(sessions.find(active, true)).as("a click 20 minutes after the last").isPresent();
    }

    @Test
    void shouldStreamTheBoardLiveAndStillAnswerAMarkedPoll() {
        ConsoleBrowser b = new ConsoleBrowser(app);
        b.signIn(admin);
        String boards = "/console/tenants/" + tenant + "/boards";
        ConsoleBrowser.Page page = b.get(boards);
        assertThat(page.body()).contains("data-live=\"" + boards + "/live?type=performance&amp;time_period=\"", "src=\"/console/assets/boards.js\"");
        ConsoleBrowser.Event live = b.firstEvent(boards + "/live?type=performance&time_period=");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.contentType()).startsWith("text/event-stream");
        assertThat(live.lines()).contains("event: board");
        assertThat(live.lines()).anySatisfy(l -> assertThat(l).startsWith("data:").contains("<section id=\"board\""));
        assertThat(b.get(boards + "/live").status()).as("not an event stream request").isEqualTo(406);
        assertThat(b.firstEvent(boards + "/live?type=nonsense").status()).isEqualTo(422);
        ConsoleBrowser.Page poll = b.get(boards + "?type=performance&time_period=", java.util.Map.of("HX-Request", "true", ConsoleSessions.POLL_HEADER, "1"));
        assertThat(poll.status()).isEqualTo(200);
        assertThat(poll.body()).contains("id=\"board\"");
    }

    @Test
    void shouldStreamABoardChangeWhileTheStreamIsOpen() {
        String shop = app.createTenant("Console live shop", "coreldove");
        String shopAdmin = app.issueKey(shop, "tenant_admin");
        String ingest = app.issueKey(shop, "ingest");
        ConsoleBrowser b = new ConsoleBrowser(app);
        b.signIn(shopAdmin);
        List<String> board = b.boardEvents("/console/tenants/" + shop + "/boards/live?type=performance&time_period=", 2, () -> {
            // The platform's public board is shared by every test's tenants: only a score above them all
            // is sure to change the top 25 the stream shows (0.01 point per unit of value).
            var r = app.post("/api/v1/facts", ingest, "{\"id\":\"live-1\",\"tenant_id\":\"" + shop
                    + "\",\"user_id\":\"live-probe\",\"type\":\"order.shipped\",\"attributes\":{\"value\":1e10}}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        });
        assertThat(board).hasSize(2);
        assertThat(board.get(1)).as("the board after the fact").isNotEqualTo(board.get(0)).contains("<section id=\"board\"");
    }

    @Test
    void shouldMakeCookiesSecureFromThePublicUrlNotTheHostHeader() {
        assertThat(ConsoleSessions.secureCookies("http://127.0.0.1:7070")).isFalse();
        assertThat(ConsoleSessions.secureCookies("http://localhost:7070")).isFalse();
        assertThat(ConsoleSessions.secureCookies("http://[::1]:7070")).isFalse();
        assertThat(ConsoleSessions.secureCookies("https://127.0.0.1:7443")).isTrue();
        assertThat(ConsoleSessions.secureCookies("https://thrillring.example")).isTrue();
        assertThat(ConsoleSessions.secureCookies("http://thrillring.example")).as("plain http off loopback still Secure").isTrue();
        assertThat(ConsoleSessions.secureCookies("not a url")).isTrue();
        // The shared test server's public URL is http://127.0.0.1:7070: its cookies are not Secure, whatever Host the request names.
        ConsoleBrowser b = new ConsoleBrowser(app);
        ConsoleBrowser.Page in = b.signIn(admin);
        assertThat(in.setCookies()).filteredOn(c -> c.startsWith(ConsoleSessions.COOKIE + "=")).singleElement().asString().doesNotContain("Secure");
    }

    private static ConsoleBrowser.Page signInFrom(ConsoleBrowser b, String address, String credential) {
        String token = b.get("/console/sign-in").csrf();
        return b.post("/console/sign-in", java.util.Map.of("_csrf", token, "next", "/console", "credential", credential),
                java.util.Map.of("X-Forwarded-For", address));
    }

    @Test
    void shouldBackOffAnAddressAfterTenFailedSignIns() {
        ConsoleBrowser b = new ConsoleBrowser(app);
        String address = "203.0.113." + (1 + new java.util.Random().nextInt(250));
        for (int i = 0; i < SignInThrottle.LIMIT; i++) {
            assertThat(signInFrom(b, address, "trk_guess_" + i + "_000000000000000000000000").status()).as("guess %d", i).isEqualTo(401);
        }
        ConsoleBrowser.Page blocked = signInFrom(b, address, "trk_guess_x_000000000000000000000000");
        assertThat(blocked.status()).isEqualTo(429);
        assertThat(blocked.raw().headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 601L));
        assertThat(blocked.body()).contains("too many failed sign-ins", "API key or JWT");
        // Even the right key waits; another address does not.
        assertThat(signInFrom(b, address, admin).status()).isEqualTo(429);
        assertThat(signInFrom(new ConsoleBrowser(app), "198.51.100.9", admin).status()).isEqualTo(303);
    }

    @Test
    void shouldUseSecureHostPrefixedCookiesWhenThePublicUrlIsHttps() throws Exception {
        // A node behind a TLS proxy: its public URL is https, while the proxy talks to it over plain http on loopback.
        TestServer behindTls = TestServer.start(TestServer.tempDir(), c -> new dev.thrillring.app.Config(c.host(), c.port(), c.dataDir(),
                c.databaseUrl(), c.appDbUser(), c.appDbPassword(), c.adminKey(), c.rulesDir(), c.tablesDir(), c.maxBodyBytes(), c.poolSize(),
                c.maxCompiledOverlays(), c.watchRules(), "https://console.example", c.trustedProxies(), c.rateKeyPerSecond(),
                c.rateTenantPerSecond(), c.ratePublicPerSecond()));
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();
            var form = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(behindTls.baseUrl() + "/console/sign-in")).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            String set = form.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("__Host-thrillring_console_signin=")).findFirst().orElseThrow();
            assertThat(set).contains("Secure", "HttpOnly", "SameSite=Strict", "Path=/;").doesNotContainIgnoringCase("Domain=");
            assertThat(form.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("thrillring_console_signin="));
            String token = set.substring(set.indexOf('=') + 1, set.indexOf(';'));
            String body = "_csrf=" + token + "&next=%2Fconsole&credential=" + TestServer.ADMIN_KEY;
            // The un-prefixed name, which a sibling subdomain could set, is not accepted.
            var planted = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(behindTls.baseUrl() + "/console/sign-in"))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "thrillring_console_signin=" + token)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(planted.statusCode()).isEqualTo(403);
            var in = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(behindTls.baseUrl() + "/console/sign-in"))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", "__Host-thrillring_console_signin=" + token)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(in.statusCode()).as(in.body()).isEqualTo(303);
            // Host was 127.0.0.1, yet the session cookie is Secure: it follows the public URL.
            String session = in.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(ConsoleSessions.COOKIE + "=")).findFirst().orElseThrow();
            assertThat(session).contains("Secure", "HttpOnly", "SameSite=Strict");
        } finally {
            behindTls.close();
        }
    }
}
