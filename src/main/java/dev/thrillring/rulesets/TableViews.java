package dev.thrillring.rulesets;

import dev.thrillring.engine.RuleResource;
import dev.thrillring.engine.authoring.TableCheck;
import dev.thrillring.engine.authoring.TableLayers;
import dev.thrillring.engine.authoring.TableSchema;
import dev.thrillring.engine.authoring.TableWorkbook;
import dev.thrillring.problems.Problem;
import dev.thrillring.engine.authoring.TableRows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The tables of a rule set as layered, row by row with where each row comes from: shipped, platform vN or tenant vN. */
public final class TableViews {

    /** One row: its key, its origin, the file that gives it and its cells by column header. */
    public record RowView(String key, String origin, String file, Map<String, String> cells) {}

    /** One table (kind and name) and its rows. */
    public record TableView(String table, String kind, List<String> files, List<RowView> rows) {}

    private TableViews() {}

    /** {@code origin} names the layer of a file path ({@link PlatformBaseRules#UPLOADED} paths, a tenant's own files, shipped ones). */
    static List<TableView> of(List<RuleResource> resources, Function<String, String> origin) {
        List<TableView> out = new ArrayList<>();
        for (TableLayers.Layered l : TableLayers.effective(resources)) {
            List<RowView> rows = new ArrayList<>();
            for (TableRows t : l.sheets()) {
                for (TableRows.Row r : t.rows()) {
                    Map<String, String> cells = new LinkedHashMap<>();
                    for (int c = 0; c < t.columns().size(); c++) cells.put(t.headers().get(c), r.cell(c));
                    rows.add(new RowView(t.key(r), origin.apply(r.origin()), r.origin(), cells));
                }
            }
            out.add(new TableView(l.name(), l.sheets().getFirst().schema().kind(), l.sources().stream().map(RuleResource::path).toList(), rows));
        }
        return out;
    }

    /** A generated table file: its name, media type and content. */
    public record Download(String fileName, String contentType, byte[] content) {}

    /** Formats a table can be downloaded in. */
    static final List<String> FORMATS = List.of("xlsx", "ods", "csv");

    /**
     * The table {@code table} (a kind and name, such as {@code achievement-thresholds}, or a file
     * name of it) of {@code resources}, layered, as a workbook generated from its schema.
     */
    static Download download(List<RuleResource> resources, String table, String format) {
        String f = format == null || format.isBlank() ? "xlsx" : format.toLowerCase(java.util.Locale.ROOT);
        if (!FORMATS.contains(f)) throw new Problem.Invalid("format", "must be one of " + String.join(", ", FORMATS));
        String name = TableSchema.tableName(table);
        TableCheck.Result read = TableCheck.read(resources);
        List<TableLayers.Layered> tables = TableLayers.layer(resources, read.tables());
        TableLayers.Layered found = tables.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow(() -> new Problem.NotFound(
                "no table '" + table + "'; the tables are " + String.join(", ", tables.stream().map(TableLayers.Layered::name).distinct().toList())));
        TableRows rows = found.sheets().getFirst();
        return switch (f) {
            case "ods" -> new Download(TableWorkbook.fileName(name, "ods"), "application/vnd.oasis.opendocument.spreadsheet", TableWorkbook.ods(rows));
            case "csv" -> new Download(TableWorkbook.fileName(name, "csv"), "text/csv; charset=utf-8",
                    rows.canonicalCsv().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            default -> new Download(TableWorkbook.fileName(name, "xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    TableWorkbook.xlsx(rows, read.choices()));
        };
    }

    /** The origin of a base file: shipped, or the platform version that serves it. */
    static String baseOrigin(String path, Integer platformVersion) {
        if (path.startsWith(PlatformBaseRules.UPLOADED + "/")) return platformVersion == null ? "platform" : "platform v" + platformVersion;
        return "shipped";
    }

    /** The platform version a base identity ({@code v3@...} or {@code shipped}) names, or null. */
    static Integer platformVersion(String identity) {
        if (identity == null || !identity.startsWith("v")) return null;
        int at = identity.indexOf('@');
        try {
            return Integer.parseInt(identity.substring(1, at < 0 ? identity.length() : at));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
