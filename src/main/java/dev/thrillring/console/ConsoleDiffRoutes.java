package dev.thrillring.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.auth.Principal;
import dev.thrillring.tenants.Tenant;
import dev.thrillring.web.Json;
import dev.thrillring.web.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.List;

/**
 * A saved version against the active one, cell by cell: the API's own diff
 * ({@code GET /api/v1/rulesets/{tenant_id}/diff}), table rows by key and each changed cell, and a
 * unified diff of every changed text file. Without an active version, against the version before.
 */
final class ConsoleDiffRoutes {
    private static final String T = ConsolePaths.ROOT + "/tenants/{tenant_id}";
    private final ConsoleRoutes pages;
    private final ConsoleService service;

    ConsoleDiffRoutes(ConsoleRoutes pages, ConsoleService service) {
        this.pages = pages;
        this.service = service;
    }

    void register(RoutesConfig routes) {
        routes.get(T + "/versions/{version}/diff", this::diff, ConsoleRoutes.READERS);
    }

    private void diff(Context ctx) {
        Tenant t = pages.tenant(ctx);
        Principal p = Requests.principal(ctx);
        int version = ConsoleRoutes.version(ctx);
        List<ConsoleViews.VersionRow> versions = service.versions(p, t.tenantId());
        if (versions.stream().noneMatch(v -> v.version() == version)) throw new dev.thrillring.problems.Problem.NotFound("no rule set version " + version);
        Integer active = versions.stream().filter(v -> "active".equals(v.status())).map(ConsoleViews.VersionRow::version).findFirst().orElse(null);
        Integer from = active != null ? active : versions.stream().map(ConsoleViews.VersionRow::version).filter(v -> v < version).max(Integer::compare).orElse(null);
        String against = active != null ? "the active version " + active : from != null ? "version " + from + " (no version is active)" : null;
        ConsoleViews.Diff view;
        if (from == null || from == version) {
            view = new ConsoleViews.Diff(version, from == null ? 0 : from, from == null ? "nothing: it is the tenant's first version" : "itself: it is the active version",
                    List.of(), List.of(), List.of());
        } else {
            JsonNode d = Json.mapper().valueToTree(service.s.ruleSets().diff(p, t.tenantId(), from, version));
            view = view(version, from, against, d);
        }
        ctx.render("console/diff.jte", ConsoleRoutes.model("frame", pages.frame(ctx, "Version " + version + " against " + (from == null ? "nothing" : from), t, "versions"),
                "diff", view));
    }

    static ConsoleViews.Diff view(int version, int from, String against, JsonNode d) {
        List<ConsoleViews.TableChange> tables = new ArrayList<>();
        for (JsonNode tc : d.path("tables").path("tables")) {
            List<ConsoleViews.RowChange> rows = new ArrayList<>();
            for (JsonNode r : tc.path("rows")) {
                List<ConsoleViews.CellChange> cells = new ArrayList<>();
                for (JsonNode c : r.path("cells")) cells.add(new ConsoleViews.CellChange(c.path("column").asText(), c.path("before").asText(""), c.path("after").asText("")));
                rows.add(new ConsoleViews.RowChange(r.path("key").asText(), r.path("change").asText(), cells));
            }
            tables.add(new ConsoleViews.TableChange(tc.path("table").asText(), tc.path("kind").asText(), tc.path("rows_before").asInt(), tc.path("rows_after").asInt(), rows));
        }
        List<ConsoleViews.FileChange> files = new ArrayList<>();
        for (JsonNode f : d.path("files")) files.add(new ConsoleViews.FileChange(f.path("path").asText(), f.path("change").asText(), f.path("diff").asText("")));
        List<String> warnings = new ArrayList<>();
        d.path("tables").path("warnings").forEach(w -> warnings.add(w.asText()));
        return new ConsoleViews.Diff(version, from, against, tables, files, warnings);
    }
}
