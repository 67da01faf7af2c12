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
}
