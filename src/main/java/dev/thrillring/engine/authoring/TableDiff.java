package dev.thrillring.engine.authoring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed in the tables between two rule sets, by meaning: rows added, removed or changed,
 * identified by their key, with each changed cell's column and its old and new value. A table
 * that lost many rows raises a warning, since an analyst who deleted rows by mistake would
 * otherwise only notice when rules stop firing.
 */
public final class TableDiff {
    /** A table whose row count drops by at least this share gets a warning. */
    static final double DROP_SHARE = 0.2;

    public record CellChange(String column, String before, String after) {}

    public record RowChange(String key, String change, List<CellChange> cells) {}

    public record TableChange(String table, String kind, int rowsBefore, int rowsAfter, List<RowChange> rows) {}

    public record Result(List<TableChange> tables, List<String> warnings) {}

    private TableDiff() {}

    /** Compares two sets of layered tables (see {@link TableLayers#effective}). */
    public static Result between(List<TableLayers.Layered> before, List<TableLayers.Layered> after) {
        Map<String, TableRows> a = byName(before), b = byName(after);
        Set<String> names = new LinkedHashSet<>(a.keySet());
        names.addAll(b.keySet());
        List<TableChange> tables = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (String name : names) {
            TableRows x = a.get(name), y = b.get(name);
            TableRows any = y != null ? y : x;
            List<RowChange> rows = rows(x, y);
            int nx = x == null ? 0 : x.rows().size(), ny = y == null ? 0 : y.rows().size();
            if (!rows.isEmpty()) tables.add(new TableChange(name, any.schema().kind(), nx, ny, rows));
            if (nx > 0 && nx - ny >= Math.max(1, Math.ceil(nx * DROP_SHARE))) {
                warnings.add("The table '" + name + "' goes from " + nx + " rows to " + ny + " (" + (nx - ny)
                        + " fewer). If you did not mean to delete rows, upload the table again with them");
            }
        }
        return new Result(tables, warnings);
    }

    private static List<RowChange> rows(TableRows x, TableRows y) {
        Map<String, TableRows.Row> before = x == null ? Map.of() : keyed(x), after = y == null ? Map.of() : keyed(y);
        List<RowChange> out = new ArrayList<>();
        for (var e : before.entrySet()) {
            TableRows.Row n = after.get(e.getKey());
            if (n == null) {
                out.add(new RowChange(e.getKey(), "removed", List.of()));
                continue;
            }
            List<CellChange> cells = new ArrayList<>();
            TableRows t = y;
            for (int c = 0; c < Math.min(x.columns().size(), t.columns().size()); c++) {
                String o = e.getValue().cell(c), v = n.cell(c);
                if (!o.equals(v)) cells.add(new CellChange(t.headers().get(c), o, v));
            }
            if (!cells.isEmpty()) out.add(new RowChange(e.getKey(), "changed", cells));
        }
        for (var e : after.entrySet()) {
            if (before.containsKey(e.getKey())) continue;
            List<CellChange> cells = new ArrayList<>();
            for (int c = 0; c < y.columns().size(); c++) {
                String v = e.getValue().cell(c);
                if (!v.isEmpty()) cells.add(new CellChange(y.headers().get(c), "", v));
            }
            out.add(new RowChange(e.getKey(), "added", cells));
        }
        return out;
    }

    private static Map<String, TableRows.Row> keyed(TableRows t) {
        Map<String, TableRows.Row> out = new LinkedHashMap<>();
        for (TableRows.Row r : t.rows()) out.put(t.key(r), r);
        return out;
    }

    /** One table per name: the sheets of a table, or the tables that could not be merged, read as one. */
    private static Map<String, TableRows> byName(List<TableLayers.Layered> tables) {
        Map<String, TableRows> out = new LinkedHashMap<>();
        for (TableLayers.Layered l : tables) {
            for (TableRows t : l.sheets()) {
                TableRows had = out.get(l.name());
                if (had == null) out.put(l.name(), t);
                else {
                    List<TableRows.Row> rows = new ArrayList<>(had.rows());
                    rows.addAll(t.rows());
                    out.put(l.name(), had.withRows(rows));
                }
            }
        }
        return out;
    }
}
