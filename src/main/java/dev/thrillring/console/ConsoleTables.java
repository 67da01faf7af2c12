package dev.thrillring.console;

import dev.thrillring.auth.Principal;
import dev.thrillring.auth.Role;
import dev.thrillring.engine.RuleResource;
import dev.thrillring.engine.RuleSetInvalid;
import dev.thrillring.engine.authoring.TableCheck;
import dev.thrillring.engine.authoring.TableSchema;
import dev.thrillring.problems.Problem;
import dev.thrillring.rulesets.RuleSetService;
import dev.thrillring.tenants.Tenant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The decision tables a caller may edit from a tenant's pages: a platform admin edits the
 * platform's live base tables (saved as a platform version), a tenant's analysts and admins the
 * tables of the tenant's latest version (saved as a tenant version). Checks and saves go through
 * the API's own table check and version services, so the messages are the API's.
 */
final class ConsoleTables {
    private final ConsoleService service;

    ConsoleTables(ConsoleService service) { this.service = service; }

    /** Where a tenant page's tables come from. */
    record Source(boolean platform, String platformName, Integer tenantVersion, List<String> paths) {
        String describe() {
            return platform ? "the live base tables of platform " + platformName
                    : tenantVersion == null ? "no version of its own yet" : "version " + tenantVersion + " of the tenant's own rules";
        }
    }

    Source source(Principal caller, Tenant t) {
        if (caller.role() == Role.PLATFORM_ADMIN) {
            var base = service.s.platformRuleSets().current(caller, t.platform());
            return new Source(true, t.platform(), null, base.files().stream().map(f -> f.path()).filter(TableDoc::editable).toList());
        }
        List<RuleSetService.VersionView> versions = service.s.ruleSets().list(caller, t.tenantId());
        if (versions.isEmpty()) return new Source(false, t.platform(), null, List.of());
        int latest = versions.stream().mapToInt(RuleSetService.VersionView::version).max().orElseThrow();
        var v = service.s.ruleSets().get(caller, t.tenantId(), latest);
        return new Source(false, t.platform(), latest, v.files().stream().map(RuleSetService.FileInfo::path).filter(TableDoc::editable).toList());
    }

    byte[] content(Principal caller, Tenant t, Source src, String path) {
        if (!src.paths().contains(path)) throw new Problem.NotFound("no table '" + path + "' in " + src.describe());
        return src.platform() ? service.s.platformRuleSets().currentFile(caller, t.platform(), path)
                : service.s.ruleSets().file(caller, t.tenantId(), src.tenantVersion(), path);
    }

    /** Every file of the source, for checking a table with the names the rules define. */
    private List<RuleResource> resources(Principal caller, Tenant t, Source src, String edited, byte[] content) {
        List<RuleResource> out = new ArrayList<>();
        if (src.platform()) {
            for (var f : service.s.platformRuleSets().current(caller, t.platform()).files()) {
                if (!RuleResource.isRuleFile(f.path())) continue;
                out.add(new RuleResource(f.path(), f.path().equals(edited) ? content : service.s.platformRuleSets().currentFile(caller, t.platform(), f.path())));
            }
        } else {
            for (var f : service.s.ruleSets().get(caller, t.tenantId(), src.tenantVersion()).files()) {
                if (!RuleResource.isRuleFile(f.path())) continue;
                out.add(new RuleResource(f.path(), f.path().equals(edited) ? content : service.s.ruleSets().file(caller, t.tenantId(), src.tenantVersion(), f.path())));
            }
        }
        return out;
    }

    /** The table's check, as the API runs it on upload: errors by cell address, and those of no cell. */
    record Checked(Map<String, List<String>> byCell, List<String> general) {
        static final Checked NONE = new Checked(Map.of(), List.of());

        boolean clean() { return byCell.isEmpty() && general.isEmpty(); }

        static Checked of(List<RuleSetInvalid.Error> errors, String path) {
            Map<String, List<String>> byCell = new HashMap<>();
            List<String> general = new ArrayList<>();
            for (RuleSetInvalid.Error e : errors) {
                if (e.cell() != null && (path == null || path.endsWith(fileName(e.file())) || e.file().endsWith(fileName(path)))) {
                    byCell.computeIfAbsent(e.cell(), k -> new ArrayList<>()).add(e.message());
                } else {
                    general.add(e.toString());
                }
            }
            return new Checked(byCell, general);
        }
    }

    Checked check(Principal caller, Tenant t, Source src, TableDoc doc, byte[] original) {
        byte[] edited = doc.write(original);
        List<RuleSetInvalid.Error> errors = TableCheck.check(resources(caller, t, src, doc.path(), edited)).getOrDefault(doc.path(), List.of());
        return Checked.of(errors, doc.path());
    }

    /** What a save did: the version stored, or the API's errors (nothing stored). */
    record Saved(RuleSetService.VersionView version, Checked errors) {}

    Saved save(Principal caller, Tenant t, Source src, TableDoc doc, byte[] original, String comment) {
        byte[] edited = doc.write(original);
        try {
            if (src.platform()) {
                return new Saved(service.s.platformRuleSets().createVersion(caller, t.platform(),
                        List.of(new RuleSetService.Upload(fileName(doc.path()), edited)), comment), Checked.NONE);
            }
            List<RuleSetService.Upload> files = new ArrayList<>();
            for (var f : service.s.ruleSets().get(caller, t.tenantId(), src.tenantVersion()).files()) {
                files.add(new RuleSetService.Upload(f.path(), f.path().equals(doc.path()) ? edited
                        : service.s.ruleSets().file(caller, t.tenantId(), src.tenantVersion(), f.path())));
            }
            return new Saved(service.s.ruleSets().createVersion(caller, t.tenantId(), files, comment), Checked.NONE);
        } catch (RuleSetInvalid invalid) {
            // Shown on the grid at their cells; the version was not stored.
            return new Saved(null, Checked.of(invalid.errors(), doc.path()));
        }
    }

    /** Imports a workbook (or any rule files) as a new version of the same source. */
    RuleSetService.VersionView importFiles(Principal caller, Tenant t, Source src, List<RuleSetService.Upload> files, String comment) {
        if (src.platform()) return service.s.platformRuleSets().createVersion(caller, t.platform(), files, comment);
        return service.s.ruleSets().createVersion(caller, t.tenantId(), files, comment);
    }

    static String fileName(String path) { return path.substring(path.lastIndexOf('/') + 1); }

    /** The grid's column descriptions from the table's schema: input kind, bounds and meaning. */
    static List<ConsoleViews.GridColumn> columns(TableDoc doc) {
        List<ConsoleViews.GridColumn> out = new ArrayList<>();
        TableSchema s = doc.schema();
        for (int c = 0; c < doc.headers().size(); c++) {
            TableSchema.Column col = s == null ? null : c < s.columns().size() ? s.columns().get(c) : s.repeated();
            if (col == null) {
                out.add(new ConsoleViews.GridColumn(doc.headers().get(c), "", "text", null, null, null, List.of(), ""));
                continue;
            }
            var parts = col.parts();
            if (parts.size() == 1) {
                var p = parts.getFirst();
                switch (p.type()) {
                    case INTEGER, DAYS -> out.add(new ConsoleViews.GridColumn(doc.headers().get(c), col.meaning(), "number", num(p.min()), num(p.max()), "1", List.of(), p.example()));
                    case DECIMAL, PERCENTAGE -> out.add(new ConsoleViews.GridColumn(doc.headers().get(c), col.meaning(), "number", num(p.min()), num(p.max()), "any", List.of(), p.example()));
                    case ENUM -> out.add(new ConsoleViews.GridColumn(doc.headers().get(c), col.meaning(), "select", null, null, null, p.values(), p.example()));
                    case BOOLEAN -> out.add(new ConsoleViews.GridColumn(doc.headers().get(c), col.meaning(), "select", null, null, null, List.of("true", "false"), p.example()));
                    default -> out.add(new ConsoleViews.GridColumn(doc.headers().get(c), col.meaning(), "text", null, null, null, List.of(), p.example()));
                }
            } else {
                String example = String.join(", ", parts.stream().map(TableSchema.Part::example).toList());
                out.add(new ConsoleViews.GridColumn(doc.headers().get(c), col.meaning(), "text", null, null, null, List.of(), example));
            }
        }
        return out;
    }

    private static String num(double d) {
        if (Math.abs(d) >= 1e12) return null;
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** The edited rows of a posted grid: fields {@code c-<row>-<col>}, and one more row for a new line. */
    static List<List<String>> rowsFrom(Map<String, List<String>> form, int width) {
        List<List<String>> rows = new ArrayList<>();
        for (int r = 0; r < TableDoc.MAX_ROWS + 1; r++) {
            if (!form.containsKey("c-" + r + "-0")) break;
            List<String> row = new ArrayList<>(width);
            for (int c = 0; c < width; c++) {
                List<String> v = form.get("c-" + r + "-" + c);
                String value = v == null || v.isEmpty() ? "" : v.getFirst();
                if (value.length() > 1000) throw new Problem.Invalid("c-" + r + "-" + c, "a cell holds at most 1,000 characters");
                row.add(value);
            }
            // An emptied row is a deleted one: dropped here so cell addresses match the file the check reads.
            if (row.stream().anyMatch(v -> !v.isBlank())) rows.add(row);
        }
        if (rows.size() > TableDoc.MAX_ROWS) throw new Problem.Invalid("rows", "a table holds at most " + TableDoc.MAX_ROWS + " rows");
        return rows;
    }

}
