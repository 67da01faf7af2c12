package dev.thrillring.console;

import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.console.ConsoleViews.Confirm;
import dev.thrillring.console.ConsoleViews.Frame;
import dev.thrillring.engine.ScenarioRunner;
import dev.thrillring.problems.Problem;
import dev.thrillring.rulesets.RuleSetService;
import dev.thrillring.tenants.Tenant;
import dev.thrillring.web.ClientAddress;
import dev.thrillring.web.PageSession;
import dev.thrillring.web.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.UploadedFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The console's pages under {@code /console}: sign-in, the platform overview, and per tenant its
 * overview, decisions, rule versions (activate, roll back, deactivate, each confirmed first),
 * "Try it", the decision tables, the review queue and the boards (keys, webhooks, achievements
 * and diffs in their own classes). Every page declares its roles
 * like an API route and is checked by the same {@code AccessControl}; the signed-in caller then
 * goes to the API's own services.
 */
public final class ConsoleRoutes {
    static final Role[] READERS = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER};
    static final Role[] AUTHORS = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST};
    static final Role[] ADMINS = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN};
    static final List<String> BOARDS = List.of("performance", "growth", "engagement", "all-time", "industry");
    /** htmx from its WebJar inside our jar (no CDN: the console works offline). */
    static final String HTMX_PATH = ConsolePaths.ROOT + "/assets/htmx.min.js";
    private static final String HTMX_RESOURCE = "META-INF/resources/webjars/htmx.org/2.0.8/dist/htmx.min.js";
    /** The console's one style sheet, from the jar: the CSP allows no inline style. */
    static final String CSS_PATH = ConsolePaths.ROOT + "/assets/console.css";
    private static final String CSS_RESOURCE = "console/console.css";
    /** The boards page's few lines of script (an EventSource), from the jar: the CSP allows no inline script. */
    static final String BOARDS_JS_PATH = ConsolePaths.ROOT + "/assets/boards.js";
    private static final String BOARDS_JS_RESOURCE = "console/boards.js";
    /** No inline script or style, no framing, forms post only to us. */
    static final String CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    private static final String T = ConsolePaths.ROOT + "/tenants/{tenant_id}";

    private final ConsoleService service;
    private final ConsoleSessions sessions;
    private final SignInThrottle throttle;
    private final java.util.Set<String> trustedProxies;

    /** @param publicUrl the configured public URL (THRILLRING_PUBLIC_URL): the session cookies are Secure unless it is http on loopback */
    public ConsoleRoutes(ConsoleService service, Clock clock, String publicUrl, java.util.Set<String> trustedProxies) {
        this.service = service;
        this.sessions = new ConsoleSessions(clock, this::failurePage, publicUrl);
        this.throttle = new SignInThrottle(clock);
        this.trustedProxies = trustedProxies;
    }

    /** The session hook for {@code AccessControl} and the error mapping. */
    public PageSession pages() { return sessions; }

    public void register(RoutesConfig routes) {
        routes.get("/", ctx -> ctx.redirect(ConsolePaths.ROOT, HttpStatus.FOUND), Role.PUBLIC);
        routes.get(ConsolePaths.ROOT + "/sign-in", this::signInPage, Role.PUBLIC);
        routes.get(HTMX_PATH, ctx -> asset(ctx, HTMX_RESOURCE, "text/javascript; charset=utf-8"), Role.PUBLIC);
        routes.get(CSS_PATH, ctx -> asset(ctx, CSS_RESOURCE, "text/css; charset=utf-8"), Role.PUBLIC);
        routes.get(BOARDS_JS_PATH, ctx -> asset(ctx, BOARDS_JS_RESOURCE, "text/javascript; charset=utf-8"), Role.PUBLIC);
        routes.after(ConsoleRoutes::securityHeaders);
        routes.post(ConsolePaths.ROOT + "/sign-in", this::signIn, Role.PUBLIC);
        routes.post(ConsolePaths.ROOT + "/sign-out", this::signOut, READERS);
        routes.get(ConsolePaths.ROOT, this::home, READERS);
        routes.get(T, this::overview, READERS);
        routes.get(T + "/decisions", this::decisions, READERS);
        routes.get(T + "/versions", this::versions, READERS);
        routes.post(T + "/versions", this::upload, AUTHORS);
        routes.get(T + "/versions/{version}/files/{path}", this::file, READERS);
        routes.get(T + "/versions/{version}/activate", this::confirmActivate, ADMINS);
        routes.post(T + "/versions/{version}/activate", this::activate, ADMINS);
        routes.get(T + "/rollback", this::confirmRollback, ADMINS);
        routes.post(T + "/rollback", this::rollback, ADMINS);
        routes.get(T + "/deactivate", this::confirmDeactivate, ADMINS);
        routes.post(T + "/deactivate", this::deactivate, ADMINS);
        routes.get(T + "/try", this::tryPage, AUTHORS);
        routes.post(T + "/try", this::tryRun, AUTHORS);
        routes.get(T + "/review", this::review, ADMINS);
        routes.post(T + "/review/{conversion_id}", this::decide, ADMINS);
        routes.get(T + "/boards", this::boards, READERS);
        new ConsoleTableRoutes(this, service).register(routes);
        new ConsoleAdminRoutes(this, service).register(routes);
        new ConsoleWebhookRoutes(this, service).register(routes);
        new ConsoleAchievementRoutes(this, service).register(routes);
        new ConsoleDiffRoutes(this, service).register(routes);
        new ConsoleLiveBoard(this, service).register(routes);
    }

    private static void asset(Context ctx, String resource, String type) throws IOException {
        try (InputStream in = ConsoleRoutes.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new Problem.NotFound(resource + " is missing from the jar");
            ctx.contentType(type).header("Cache-Control", "public, max-age=86400").result(in.readAllBytes());
        }
    }

    /**
     * On every console response, errors included: the CSP, no sniffing, no referrer to other
     * sites, and no caching of pages (which show tenant data and CSRF tokens). The two assets
     * alone stay cacheable: they are the same for everyone.
     */
    static void securityHeaders(Context ctx) {
        if (!ConsolePaths.isConsole(ctx.path())) return;
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
        boolean asset = (ctx.path().equals(HTMX_PATH) || ctx.path().equals(CSS_PATH) || ctx.path().equals(BOARDS_JS_PATH)) && ctx.statusCode() == 200;
        if (!asset) ctx.header("Cache-Control", "no-store");
    }

    // --- sign-in -----------------------------------------------------------------------------

    private void signInPage(Context ctx) {
        if (sessions.current(ctx).isPresent()) {
            ctx.redirect(next(ctx.queryParam("next")), HttpStatus.SEE_OTHER);
            return;
        }
        renderSignIn(ctx, null);
    }

    private void renderSignIn(Context ctx, String error) {
        ctx.header("Cache-Control", "no-store");
        ctx.render("console/signin.jte", model("token", sessions.signInToken(ctx), "next", next(ctx.queryParam("next")), "error", error));
    }

    private void signIn(Context ctx) {
        ConsoleSessions.requireCsrf(ctx, sessions.sentSignInToken(ctx));
        String address = ClientAddress.of(ctx, trustedProxies);
        throttle.check(address);
        String credential = ctx.formParam("credential");
        Principal p;
        try {
            p = service.signIn(credential);
        } catch (Problem e) {
            throttle.failed(address, e.status(), e.title());
            throw e;
        }
        sessions.end(ctx);
        sessions.start(ctx, credential.trim(), ConsoleService.describe(p));
        String dest = next(ctx.formParam("next"));
        if (dest.equals(ConsolePaths.ROOT) && p.tenantId().isPresent()) dest = ConsolePaths.ROOT + "/tenants/" + p.tenantId().get();
        ctx.redirect(dest, HttpStatus.SEE_OTHER);
    }

    private void signOut(Context ctx) {
        sessions.end(ctx);
        ctx.redirect(ConsolePaths.ROOT + "/sign-in", HttpStatus.SEE_OTHER);
    }

    /** Where to go after signing in: a console path only, never another site. */
    static String next(String n) {
        if (n == null || !n.startsWith(ConsolePaths.ROOT) || n.startsWith("//") || n.contains("\\") || n.length() > 500
                || !(n.length() == ConsolePaths.ROOT.length() || n.charAt(ConsolePaths.ROOT.length()) == '/'
                || n.charAt(ConsolePaths.ROOT.length()) == '?')) {
            return ConsolePaths.ROOT;
        }
        return n;
    }

    // --- pages -------------------------------------------------------------------------------

    private void home(Context ctx) {
        Principal p = Requests.principal(ctx);
        if (p.tenantId().isPresent()) {
            ctx.redirect(ConsolePaths.ROOT + "/tenants/" + p.tenantId().get(), HttpStatus.SEE_OTHER);
            return;
        }
        ctx.render("console/home.jte", model("frame", frame(ctx, "Tenants", null, null), "platforms", service.platformsOf(p)));
    }

    private void overview(Context ctx) {
        Tenant t = tenant(ctx);
        ctx.render("console/tenant.jte", model("frame", frame(ctx, "Overview", t, "overview"),
                "overview", service.overview(Requests.principal(ctx), t)));
    }

    private void decisions(Context ctx) {
        Tenant t = tenant(ctx);
        String factId = ctx.queryParam("fact_id");
        String userId = ctx.queryParam("user_id");
        ctx.render("console/decisions.jte", model("frame", frame(ctx, "Decisions", t, "decisions"),
                "decisions", service.decisions(Requests.principal(ctx), t.tenantId(), factId, userId),
                "factId", factId == null ? "" : factId, "userId", userId == null ? "" : userId));
    }

    private void versions(Context ctx) {
        Tenant t = tenant(ctx);
        Principal p = Requests.principal(ctx);
        ctx.render("console/versions.jte", model("frame", frame(ctx, "Rule versions", t, "versions"),
                "versions", service.versions(p, t.tenantId()), "audit", service.audit(p, t.tenantId()),
                "platformVersions", p.role() == Role.PLATFORM_ADMIN ? service.platformVersions(p, t.platform()) : List.of()));
    }

    private void upload(Context ctx) {
        Tenant t = tenant(ctx);
        List<RuleSetService.Upload> files = new ArrayList<>();
        for (UploadedFile f : ctx.uploadedFiles("files")) files.add(new RuleSetService.Upload(f.filename(), read(f)));
        RuleSetService.VersionView v = service.upload(Requests.principal(ctx), t.tenantId(), files, ctx.formParam("comment"));
        outcome(ctx, t, "versions", "Version " + v.version() + " saved as a draft",
                "Its " + v.ruleCount() + " rules compiled and passed the checks. An admin activates it from the versions page.",
                List.of(), ctx.path(), "Back to the versions");
    }

    private void file(Context ctx) {
        Tenant t = tenant(ctx);
        String path = ctx.pathParam("path");
        byte[] content = service.s.ruleSets().file(Requests.principal(ctx), t.tenantId(), version(ctx), path);
        download(ctx, path, content);
    }

    static void download(Context ctx, String path, byte[] content) {
        String name = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        ctx.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.contentType(name.endsWith(".xlsx") ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                : name.endsWith(".xls") ? "application/vnd.ms-excel" : name.endsWith(".json") ? "application/json" : "text/plain; charset=utf-8");
        ctx.result(content);
    }

    private void confirmActivate(Context ctx) {
        Tenant t = tenant(ctx);
        int v = version(ctx);
        confirm(ctx, t, "Activate version " + v + "?", "Its scenarios run first; when they pass, version " + v
                + " decides every next fact of " + t.name() + " on every node. The versions page can roll it back.",
                ctx.path(), "Activate version " + v, false);
    }

    private void activate(Context ctx) {
        Tenant t = tenant(ctx);
        RuleSetService.Activation a = service.activate(Requests.principal(ctx), t.tenantId(), version(ctx));
        outcome(ctx, t, "versions", "Version " + a.version().version() + " is live",
                "The next fact of " + t.name() + " is decided by it.", scenarios(a.scenarios()),
                ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/versions", "Back to the versions");
    }

    private void confirmRollback(Context ctx) {
        Tenant t = tenant(ctx);
        confirm(ctx, t, "Roll back to the previous version?", "The version that was active before the current one goes live again"
                + " for every next fact of " + t.name() + ", after its scenarios pass.", ctx.path(), "Roll back", true);
    }

    private void rollback(Context ctx) {
        Tenant t = tenant(ctx);
        RuleSetService.Activation a = service.rollback(Requests.principal(ctx), t.tenantId());
        outcome(ctx, t, "versions", "Rolled back to version " + a.version().version(), "The next fact of " + t.name() + " is decided by it.",
                scenarios(a.scenarios()), ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/versions", "Back to the versions");
    }

    private void confirmDeactivate(Context ctx) {
        Tenant t = tenant(ctx);
        confirm(ctx, t, "Go back to the platform's base rules?", "The tenant's own rules stop deciding: every next fact of " + t.name()
                + " is decided by the platform's base rules alone. Its versions stay and can be activated again.", ctx.path(), "Deactivate its own rules", true);
    }

    private void deactivate(Context ctx) {
        Tenant t = tenant(ctx);
        service.deactivate(Requests.principal(ctx), t.tenantId());
        outcome(ctx, t, "versions", "Back on the base rules", "The platform's base rules alone decide the next fact of " + t.name() + ".",
                List.of(), ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/versions", "Back to the versions");
    }

    static final String SAMPLE_FACTS = """
            [
              {"id": "try-1", "user_id": "u-1", "type": "campaign.launched", "attributes": {"channel": "search"}}
            ]""";

    private void tryPage(Context ctx) {
        Tenant t = tenant(ctx);
        List<String> versions = versionNumbers(ctx, t);
        ctx.render("console/tryit.jte", model("frame", frame(ctx, "Try it", t, "try"), "tryit",
                new ConsoleViews.TryIt(SAMPLE_FACTS, "", versions, null, List.of(), null, ctx.path()), "saved", null, "activate", null));
    }

    private void tryRun(Context ctx) {
        Tenant t = tenant(ctx);
        Integer v = ConsoleService.version(ctx.formParam("version")).orElse(null);
        var result = service.dryRun(Requests.principal(ctx), t.tenantId(), ctx.formParam("facts"), v, ctx.path(), versionNumbers(ctx, t));
        ctx.render("console/tryit.jte", model("frame", frame(ctx, "Try it", t, "try"), "tryit", result, "saved", null,
                "activate", v == null || !ConsoleService.isAdmin(Requests.principal(ctx)) ? null
                        : ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/versions/" + v + "/activate"));
    }

    private List<String> versionNumbers(Context ctx, Tenant t) {
        return service.versions(Requests.principal(ctx), t.tenantId()).stream().map(v -> Integer.toString(v.version())).toList();
    }

    private void review(Context ctx) {
        Tenant t = tenant(ctx);
        Map<String, Object> page = service.reviewQueue(Requests.principal(ctx), t.tenantId(), ctx.queryParam("cursor"));
        var json = dev.thrillring.web.Json.mapper().valueToTree(page);
        ctx.render("console/review.jte", model("frame", frame(ctx, "Review queue", t, "review"), "review",
                new ConsoleViews.Review(json.path("conversions"), json.path("next_cursor").isNull() ? null : json.path("next_cursor").asText(null),
                        json.path("total").asLong())));
    }

    private void decide(Context ctx) {
        Tenant t = tenant(ctx);
        String decision = ctx.formParam("decision");
        if (decision == null || !(decision.equals("approve") || decision.equals("reject"))) {
            throw new Problem.Invalid("decision", "must be approve or reject");
        }
        service.review(Requests.principal(ctx), t.tenantId(), Requests.uuidPath(ctx, "conversion_id"), decision, ctx.formParam("note"));
        ctx.redirect(ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/review", HttpStatus.SEE_OTHER);
    }

    private void boards(Context ctx) {
        Tenant t = tenant(ctx);
        String type = boardType(ctx.queryParam("type"));
        String tp = ctx.queryParam("time_period");
        if (tp != null && tp.isBlank()) tp = null;
        var board = service.board(Requests.principal(ctx), t, type, tp);
        ctx.render("console/board.jte", model("frame", frame(ctx, "Boards", t, "boards"), "board",
                new ConsoleViews.Board(type, tp == null ? "" : tp, board, BOARDS)));
    }

    /** A board type named in a query, {@code performance} when none. */
    static String boardType(String type) {
        if (type == null || type.isBlank()) return "performance";
        if (!BOARDS.contains(type)) throw new Problem.Invalid("type", "must be one of " + String.join(", ", BOARDS));
        return type;
    }

    // --- helpers -----------------------------------------------------------------------------

    /** True while the request's session lasts (looked at without counting as activity). */
    boolean sessionAlive(Context ctx) { return sessions.alive(ctx); }

    /** As {@link #sessionAlive}, asked later without the request (a stream outlives it). */
    java.util.function.BooleanSupplier sessionCheck(Context ctx) { return sessions.aliveCheck(ctx); }

    Tenant tenant(Context ctx) {
        return service.tenant(Requests.principal(ctx), Requests.uuidPath(ctx, "tenant_id"));
    }

    Frame frame(Context ctx, String title, Tenant t, String active) {
        Principal p = Requests.principal(ctx);
        var s = sessions.current(ctx);
        return new Frame(title, s.map(ConsoleSessions.Session::csrf).orElse(""), s.map(ConsoleSessions.Session::who).orElse(ConsoleService.describe(p)),
                p.role().wireName(), t == null ? null : t.tenantId().toString(), t == null ? null : t.name(), active,
                ConsoleService.isAdmin(p), ConsoleService.isAuthor(p), p.role() == Role.PLATFORM_ADMIN);
    }

    private void confirm(Context ctx, Tenant t, String question, String detail, String action, String button, boolean danger) {
        ctx.render("console/confirm.jte", model("frame", frame(ctx, question, t, "versions"), "confirm",
                new Confirm(question, detail, action, button, danger, ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/versions")));
    }

    void outcome(Context ctx, Tenant t, String active, String heading, String detail, List<String> scenarios, String back, String backLabel) {
        ctx.render("console/outcome.jte", model("frame", frame(ctx, heading, t, active), "outcome",
                new ConsoleViews.Outcome(heading, detail, scenarios, back, backLabel)));
    }

    private static List<String> scenarios(List<ScenarioRunner.Result> results) {
        return results.stream().map(r -> r.name() + " (" + r.file() + "): " + (r.passed() ? "passed" : "failed")).toList();
    }

    static int version(Context ctx) {
        try {
            int v = Integer.parseInt(ctx.pathParam("version"));
            if (v > 0) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new Problem.Invalid("version", "must be a positive whole number");
    }

    static byte[] read(UploadedFile f) {
        try (InputStream in = f.content()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> model(Object... kv) {
        Map<String, Object> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** "Go back" on the error page: the console page the request came from (same-origin Referer), else the console's start. */
    static String back(Context ctx) {
        String referer = ctx.header("Referer");
        if (referer == null) return ConsolePaths.ROOT;
        try {
            java.net.URI u = java.net.URI.create(referer);
            String path = u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            return next(path);
        } catch (IllegalArgumentException e) {
            return ConsolePaths.ROOT;
        }
    }

    /** Renders a failure on a console page: sign-in for a missing session, else the error page. */
    @SuppressWarnings("unchecked")
    private boolean failurePage(Context ctx) {
        Map<String, Object> problem = ctx.attribute(ConsolePages.PROBLEM);
        int status = ctx.statusCode();
        String detail = String.valueOf(problem.get("detail"));
        boolean html = ctx.header("Accept") != null && ctx.header("Accept").contains("text/html");
        boolean htmx = ctx.header("HX-Request") != null;
        String back = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
        String signIn = ConsolePaths.ROOT + "/sign-in?next=" + URLEncoder.encode(back, StandardCharsets.UTF_8);
        if (status == 401 && htmx) {
            // A part of a page asked after the session ended: htmx loads the sign-in page instead.
            ctx.header("HX-Redirect", ConsolePaths.ROOT + "/sign-in");
            ctx.result("");
            return true;
        }
        if (status == 401 && ctx.method().name().equals("GET") && html) {
            ctx.redirect(signIn, HttpStatus.SEE_OTHER);
            return true;
        }
        if (htmx) {
            // The error page replaces the page's main part, whatever part the request meant to update.
            ctx.header("HX-Retarget", "#main");
            ctx.header("HX-Reselect", "#main");
            ctx.header("HX-Reswap", "outerHTML");
        }
        if (ctx.path().equals(ConsolePaths.ROOT + "/sign-in") && (status == 401 || status == 403 || status == 422 || status == 429)) {
            ctx.status(status);
            renderSignIn(ctx, detail);
            return true;
        }
        List<String> errors = new ArrayList<>();
        Object list = problem.get("errors");
        if (list instanceof List<?> l) for (Object e : l) errors.add(e instanceof Problem.Violation v ? v.field() + ": " + v.message() : String.valueOf(e));
        Principal p = ctx.attribute(Requests.PRINCIPAL);
        String title = String.valueOf(problem.getOrDefault("title", "Failed"));
        Frame f = p == null ? new Frame(title, "", null, null, null, null, null, false, false, false)
                : new Frame(title, sessions.current(ctx).map(ConsoleSessions.Session::csrf).orElse(""), ConsoleService.describe(p), p.role().wireName(),
                null, null, null, ConsoleService.isAdmin(p), ConsoleService.isAuthor(p), p.role() == Role.PLATFORM_ADMIN);
        ctx.status(status);
        ctx.render("console/error.jte", model("frame", f, "status", status, "detail", detail, "errors", errors, "back", back(ctx)));
        return true;
    }
}
