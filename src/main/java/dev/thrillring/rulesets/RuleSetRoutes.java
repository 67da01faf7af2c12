package dev.thrillring.rulesets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.web.Requests;
import dev.thrillring.auth.Role;
import dev.thrillring.problems.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.UploadedFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code /api/v1/rulesets/{tenant_id}/...}: versions, activation, rollback, diff, dry runs, audit. */
public final class RuleSetRoutes {
    private final RuleSetService service;
    private final PlatformRuleSetService platforms;

    private RuleSetRoutes(RuleSetService service, PlatformRuleSetService platforms) {
        this.service = service;
        this.platforms = platforms;
    }

    public static void register(RoutesConfig routes, RuleSetService service, PlatformRuleSetService platforms) {
        RuleSetRoutes r = new RuleSetRoutes(service, platforms);
        Role[] authors = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST};
        Role[] admins = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN};
        Role[] readers = {Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.ANALYST, Role.VIEWER};
        String base = "/api/v1/rulesets/{tenant_id}";
        routes.post(base + "/versions", r::upload, authors);
        routes.get(base + "/versions", r::list, readers);
        routes.get(base + "/versions/{version}", r::get, readers);
        routes.get(base + "/versions/{version}/files/{path}", r::file, readers);
        routes.post(base + "/versions/{version}/activate", r::activate, admins);
        routes.post(base + "/rollback", r::rollback, admins);
        routes.post(base + "/deactivate", r::deactivate, admins);
        routes.get(base + "/diff", r::diff, readers);
        routes.post(base + "/dry-run", r::dryRun, authors);
        routes.get(base + "/audit", r::audit, authors);
        routes.get(base + "/tables", r::tables, readers);
        routes.get(base + "/tables/{table}", r::tableFile, readers);

        // A platform's base rules, under every tenant of the platform: its platform admins only.
        String platform = "/api/v1/platforms/{platform}/rulesets";
        routes.get(platform, r::platformBase, Role.PLATFORM_ADMIN);
        routes.get(platform + "/files", r::platformBaseFile, Role.PLATFORM_ADMIN);
        routes.get(platform + "/tables/{table}", r::platformTableFile, Role.PLATFORM_ADMIN);
        routes.post(platform + "/versions", r::platformUpload, Role.PLATFORM_ADMIN);
        routes.get(platform + "/versions", r::platformList, Role.PLATFORM_ADMIN);
        routes.get(platform + "/versions/{version}", r::platformGet, Role.PLATFORM_ADMIN);
        routes.post(platform + "/versions/{version}/activate", r::platformActivate, Role.PLATFORM_ADMIN);
        routes.post(platform + "/deactivate", r::platformDeactivate, Role.PLATFORM_ADMIN);
        routes.get(platform + "/diff", r::platformDiff, Role.PLATFORM_ADMIN);
        routes.post(platform + "/dry-run", r::platformDryRun, Role.PLATFORM_ADMIN);
    }

    private void platformDiff(Context ctx) {
        int from = ctx.queryParamAsClass("from", Integer.class).get();
        int to = ctx.queryParamAsClass("to", Integer.class).get();
        ctx.json(platforms.diff(Requests.principal(ctx), ctx.pathParam("platform"), from, to));
    }

    private void platformDryRun(Context ctx) {
        JsonNode body = dryRunBody(ctx, "tenant_id");
        JsonNode tenant = body.get("tenant_id");
        java.util.UUID tenantId;
        try {
            tenantId = java.util.UUID.fromString(tenant == null || !tenant.isTextual() ? "" : tenant.asText());
        } catch (IllegalArgumentException e) {
            throw new Problem.Invalid("tenant_id", "must name one of the platform's tenants by its id");
        }
        ctx.json(platforms.dryRun(Requests.principal(ctx), ctx.pathParam("platform"), tenantId, dryRunVersion(body), body.get("facts")));
    }

    private void upload(Context ctx) {
        var v = service.createVersion(Requests.principal(ctx), tenant(ctx), uploads(ctx), ctx.formParam("comment"));
        ctx.status(HttpStatus.CREATED).json(v);
    }

    private static List<RuleSetService.Upload> uploads(Context ctx) {
        String ct = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!ct.startsWith("multipart/form-data")) {
            throw new Problem.Unsupported("upload rule files as multipart/form-data: 'files' parts and an optional 'comment'");
        }
        List<RuleSetService.Upload> uploads = new ArrayList<>();
        for (UploadedFile f : ctx.uploadedFiles()) uploads.add(new RuleSetService.Upload(f.filename(), read(f)));
        return uploads;
    }

    private void platformBase(Context ctx) {
        ctx.json(platforms.current(Requests.principal(ctx), ctx.pathParam("platform")));
    }

    private void platformBaseFile(Context ctx) {
        String path = ctx.queryParam("path");
        if (path == null || path.isBlank()) throw new Problem.Invalid("path", "name the file, as the base listing shows it");
        sendFile(ctx, path, platforms.currentFile(Requests.principal(ctx), ctx.pathParam("platform"), path));
    }

    private void platformTableFile(Context ctx) {
        send(ctx, platforms.tableFile(Requests.principal(ctx), ctx.pathParam("platform"), ctx.pathParam("table"), ctx.queryParam("format")));
    }

    private void tables(Context ctx) {
        ctx.json(Map.of("tables", service.activeTables(Requests.principal(ctx), tenant(ctx))));
    }

    private void tableFile(Context ctx) {
        String layer = ctx.queryParam("layer");
        if (layer != null && !layer.equals("base") && !layer.equals("effective")) throw new Problem.Invalid("layer", "must be base or effective");
        send(ctx, service.tableFile(Requests.principal(ctx), tenant(ctx), ctx.pathParam("table"), ctx.queryParam("format"), "base".equals(layer)));
    }

    private static void send(Context ctx, TableViews.Download d) {
        ctx.header("Content-Disposition", "attachment; filename=\"" + d.fileName() + "\"");
        ctx.contentType(d.contentType());
        ctx.result(d.content());
    }

    private void platformUpload(Context ctx) {
        List<String> remove = new ArrayList<>();
        for (String r : ctx.formParams("remove")) for (String name : r.split(",")) if (!name.isBlank()) remove.add(name.trim());
        var v = platforms.createVersion(Requests.principal(ctx), ctx.pathParam("platform"), uploads(ctx), remove, ctx.formParam("comment"));
        ctx.status(HttpStatus.CREATED).json(v);
    }

    private void platformList(Context ctx) {
        ctx.json(Map.of("versions", platforms.list(Requests.principal(ctx), ctx.pathParam("platform"))));
    }

    private void platformGet(Context ctx) {
        ctx.json(platforms.get(Requests.principal(ctx), ctx.pathParam("platform"), version(ctx)));
    }

    private void platformActivate(Context ctx) {
        ctx.json(platforms.activate(Requests.principal(ctx), ctx.pathParam("platform"), version(ctx)));
    }

    private void platformDeactivate(Context ctx) {
        platforms.deactivate(Requests.principal(ctx), ctx.pathParam("platform"));
        ctx.json(platforms.current(Requests.principal(ctx), ctx.pathParam("platform")));
    }

    private void list(Context ctx) {
        ctx.json(Map.of("versions", service.list(Requests.principal(ctx), tenant(ctx))));
    }

    private void get(Context ctx) {
        ctx.json(service.get(Requests.principal(ctx), tenant(ctx), version(ctx)));
    }

    private void file(Context ctx) {
        sendFile(ctx, ctx.pathParam("path"), service.file(Requests.principal(ctx), tenant(ctx), version(ctx), ctx.pathParam("path")));
    }

    private static void sendFile(Context ctx, String name, byte[] content) {
        String path = name.toLowerCase(Locale.ROOT);
        ctx.header("Content-Disposition", "attachment; filename=\"" + name.substring(name.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_") + "\"");
        ctx.contentType(path.endsWith(".xlsx") ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                : path.endsWith(".xls") ? "application/vnd.ms-excel"
                : path.endsWith(".ods") ? "application/vnd.oasis.opendocument.spreadsheet"
                : path.endsWith(".json") ? "application/json" : "text/plain; charset=utf-8");
        ctx.result(content);
    }

    private void activate(Context ctx) {
        ctx.json(service.activate(Requests.principal(ctx), tenant(ctx), version(ctx)));
    }

    private record RollbackRequest(Integer toVersion) {}

    private void rollback(Context ctx) {
        Integer to = ctx.body().isBlank() ? null : Requests.body(ctx, RollbackRequest.class).toVersion();
        ctx.json(service.rollback(Requests.principal(ctx), tenant(ctx), to));
    }

    private void deactivate(Context ctx) {
        service.deactivate(Requests.principal(ctx), tenant(ctx));
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void diff(Context ctx) {
        int from = ctx.queryParamAsClass("from", Integer.class).get();
        int to = ctx.queryParamAsClass("to", Integer.class).get();
        ctx.json(service.diff(Requests.principal(ctx), tenant(ctx), from, to));
    }

    private void dryRun(Context ctx) {
        JsonNode body = dryRunBody(ctx);
        ctx.json(service.dryRun(Requests.principal(ctx), tenant(ctx), dryRunVersion(body), body.get("facts")));
    }

    /** {@code {"facts": [...], "version": n?}} and any {@code extra} fields; nothing else. */
    private static JsonNode dryRunBody(Context ctx, String... extra) {
        JsonNode body = Requests.tree(ctx);
        if (!body.isObject()) throw new Problem.Invalid("(body)", "must be {\"facts\": [...], \"version\": n?}");
        java.util.Set<String> known = new java.util.HashSet<>(List.of(extra));
        known.add("facts");
        known.add("version");
        body.fieldNames().forEachRemaining(n -> {
            if (!known.contains(n)) throw new Problem.Invalid(n, "is not a known field");
        });
        return body;
    }

    private static Integer dryRunVersion(JsonNode body) {
        JsonNode v = body.get("version");
        if (v != null && !v.isNull() && (!v.canConvertToInt() || v.intValue() < 1)) throw new Problem.Invalid("version", "must be a version number");
        return v == null || v.isNull() ? null : v.intValue();
    }

    private void audit(Context ctx) {
        int limit = Requests.limitQuery(ctx, 100, 1000);
        ctx.json(Map.of("entries", service.auditLog(Requests.principal(ctx), tenant(ctx), limit)));
    }

    private static java.util.UUID tenant(Context ctx) { return Requests.uuidPath(ctx, "tenant_id"); }

    private static int version(Context ctx) {
        try {
            int v = Integer.parseInt(ctx.pathParam("version"));
            if (v > 0) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new Problem.Invalid("version", "must be a positive whole number");
    }

    private static byte[] read(UploadedFile f) {
        try (InputStream in = f.content()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
