package dev.thrillring.console;

import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.problems.Problem;
import dev.thrillring.rulesets.RuleSetService;
import dev.thrillring.tenants.Tenant;
import dev.thrillring.web.Json;
import dev.thrillring.web.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The tables pages: the list, the grid (typed inputs, the API's per-cell messages, checked live
 * with htmx and on every post without it), save as a new version with a comment, download and
 * import; for a platform admin also trying a saved platform version on the tenant and activating it.
 */
final class ConsoleTableRoutes {
    private static final String T = ConsolePaths.ROOT + "/tenants/{tenant_id}";
    private final ConsoleRoutes pages;
    private final ConsoleService service;
    private final ConsoleTables tables;

    ConsoleTableRoutes(ConsoleRoutes pages, ConsoleService service) {
        this.pages = pages;
        this.service = service;
        this.tables = new ConsoleTables(service);
    }

    void register(RoutesConfig routes) {
        routes.get(T + "/tables", this::list, ConsoleRoutes.AUTHORS);
        routes.get(T + "/tables/edit", this::edit, ConsoleRoutes.AUTHORS);
        routes.post(T + "/tables/edit", this::post, ConsoleRoutes.AUTHORS);
        routes.get(T + "/tables/download", this::download, ConsoleRoutes.AUTHORS);
        routes.post(T + "/tables/import", this::importFiles, ConsoleRoutes.AUTHORS);
        routes.get(T + "/platform-versions/{version}/activate", this::confirmPlatformActivate, Role.PLATFORM_ADMIN);
        routes.post(T + "/platform-versions/{version}/activate", this::platformActivate, Role.PLATFORM_ADMIN);
        routes.post(T + "/platform-versions/{version}/try", this::platformTry, Role.PLATFORM_ADMIN);
    }

    private void list(Context ctx) {
        Tenant t = pages.tenant(ctx);
        var src = tables.source(Requests.principal(ctx), t);
        ctx.render("console/tables.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "Tables", t, "tables"),
                "tables", new ConsoleViews.Tables(src.describe(), src.platform(), src.paths())));
    }

    private String path(Context ctx) {
        String p = ctx.queryParam("path");
        if (p == null || p.isBlank() || p.length() > 300) throw new Problem.Invalid("path", "name a table as the tables page lists it");
        return p;
    }

    private void edit(Context ctx) {
        Tenant t = pages.tenant(ctx);
        Principal caller = Requests.principal(ctx);
        var src = tables.source(caller, t);
        String path = path(ctx);
        byte[] original = tables.content(caller, t, src, path);
        TableDoc doc = TableDoc.read(path, original);
        render(ctx, t, src, doc, tables.check(caller, t, src, doc, original), null);
    }

    private void post(Context ctx) {
        Tenant t = pages.tenant(ctx);
        Principal caller = Requests.principal(ctx);
        var src = tables.source(caller, t);
        String path = path(ctx);
        byte[] original = tables.content(caller, t, src, path);
        TableDoc doc = TableDoc.read(path, original);
        TableDoc edited = doc.withRows(ConsoleTables.rowsFrom(ctx.formParamMap(), doc.headers().size()));
        if (!"save".equals(ctx.formParam("action"))) {
            render(ctx, t, src, edited, tables.check(caller, t, src, edited, original), null);
            return;
        }
        ConsoleTables.Saved saved = tables.save(caller, t, src, edited, original, ctx.formParam("comment"));
        if (saved.version() == null) {
            ctx.status(422);
            render(ctx, t, src, edited, saved.errors(), "Not saved: fix the cells marked below.");
            return;
        }
        afterSave(ctx, t, src, saved.version());
    }

    private void afterSave(Context ctx, Tenant t, ConsoleTables.Source src, RuleSetService.VersionView v) {
        if (src.platform()) {
            String base = ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/platform-versions/" + v.version();
            ctx.render("console/tryit.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "Try platform version " + v.version(), t, "tables"),
                    "tryit", new ConsoleViews.TryIt(ConsoleRoutes.SAMPLE_FACTS, Integer.toString(v.version()), List.of(), null, List.of(),
                            null, base + "/try"), "saved", "Platform version " + v.version() + " of " + t.platform() + " is saved as a draft ("
                            + v.ruleCount() + " rules). Try it on " + t.name() + ", then activate it.", "activate", base + "/activate"));
        } else {
            ctx.render("console/tryit.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "Try version " + v.version(), t, "try"),
                    "tryit", new ConsoleViews.TryIt(ConsoleRoutes.SAMPLE_FACTS, Integer.toString(v.version()),
                            List.of(Integer.toString(v.version())), null, List.of(), null, ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/try"),
                    "saved", "Version " + v.version() + " is saved as a draft (" + v.ruleCount() + " rules). Try it, then an admin activates it.",
                    "activate", ConsoleService.isAdmin(Requests.principal(ctx)) ? ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/versions/" + v.version() + "/activate" : null));
        }
    }

    private void render(Context ctx, Tenant t, ConsoleTables.Source src, TableDoc doc, ConsoleTables.Checked checked, String notice) {
        List<String> addresses = new ArrayList<>();
        int width = doc.headers().size();
        List<List<String>> rows = new ArrayList<>(doc.rows());
        List<String> blank = new ArrayList<>();
        for (int c = 0; c < width; c++) blank.add("");
        rows.add(blank); // one empty row to add a line
        for (int r = 0; r < rows.size(); r++) for (int c = 0; c < width; c++) addresses.add(doc.address(r, c));
        String q = "?path=" + URLEncoder.encode(doc.path(), StandardCharsets.UTF_8);
        String base = ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/tables";
        String title = doc.schema() == null ? ConsoleTables.fileName(doc.path()) : doc.schema().title();
        ctx.render("console/table.jte", ConsoleRoutes.model("frame", pages.frame(ctx, title, t, "tables"), "grid",
                new ConsoleViews.Grid(doc.path(), title, src.describe(), ConsoleTables.columns(doc), rows, addresses, checked.byCell(),
                        checked.general(), notice, base + "/edit" + q, base + "/download" + q)));
    }

    private void download(Context ctx) {
        Tenant t = pages.tenant(ctx);
        Principal caller = Requests.principal(ctx);
        String path = path(ctx);
        ConsoleRoutes.download(ctx, path, tables.content(caller, t, tables.source(caller, t), path));
    }

    private void importFiles(Context ctx) {
        Tenant t = pages.tenant(ctx);
        Principal caller = Requests.principal(ctx);
        List<RuleSetService.Upload> files = new ArrayList<>();
        for (UploadedFile f : ctx.uploadedFiles("files")) files.add(new RuleSetService.Upload(f.filename(), ConsoleRoutes.read(f)));
        if (files.isEmpty()) throw new Problem.Invalid("files", "choose a workbook or CSV table to import");
        var src = tables.source(caller, t);
        afterSave(ctx, t, src, tables.importFiles(caller, t, src, files, ctx.formParam("comment")));
    }

    private void confirmPlatformActivate(Context ctx) {
        Tenant t = pages.tenant(ctx);
        int v = ConsoleRoutes.version(ctx);
        ctx.render("console/confirm.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "Activate platform version " + v + "?", t, "tables"),
                "confirm", new ConsoleViews.Confirm("Activate platform version " + v + " of " + t.platform() + "?",
                        "Its scenarios run, and every tenant of " + t.platform() + " with rules of its own is recompiled on it first; when all pass, it decides every next fact of every tenant of the platform.",
                        ctx.path(), "Activate for every tenant of " + t.platform(), false, ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/tables")));
    }

    private void platformActivate(Context ctx) {
        Tenant t = pages.tenant(ctx);
        var a = service.s.platformRuleSets().activate(Requests.principal(ctx), t.platform(), ConsoleRoutes.version(ctx));
        pages.outcome(ctx, t, "tables", "Platform version " + a.version().version() + " is live",
                "The next fact of every tenant of " + t.platform() + " is decided by it.", a.scenarios().stream()
                        .map(r -> r.name() + " (" + r.file() + "): " + (r.passed() ? "passed" : "failed")).toList(),
                ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/decisions", "See the decisions");
    }

    private void platformTry(Context ctx) {
        Tenant t = pages.tenant(ctx);
        int v = ConsoleRoutes.version(ctx);
        String facts = ctx.formParam("facts");
        var out = Json.mapper().valueToTree(service.s.platformRuleSets().dryRun(Requests.principal(ctx), t.platform(), t.tenantId(), v,
                ConsoleService.parseFacts(facts)));
        ctx.render("console/tryit.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "Try platform version " + v, t, "tables"), "tryit",
                ConsoleService.tryIt(facts, v, List.of(), out, ctx.path()), "saved", null,
                "activate", ConsolePaths.ROOT + "/tenants/" + t.tenantId() + "/platform-versions/" + v + "/activate"));
    }
}
