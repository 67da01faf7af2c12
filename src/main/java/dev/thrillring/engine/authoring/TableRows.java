package dev.thrillring.engine.authoring;

import dev.thrillring.engine.authoring.TableSchema.Column;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The checked rows of one table of a known kind, as values rather than cells: what the engine
 * compiles (through {@link #canonicalCsv}), what layers merge by key and what diffs compare. Each
 * row remembers the file, sheet and cells it was read from, so a late error still names them.
 */
public record TableRows(TableSchema schema, String path, String sheet, String title, String ruleSet,
                        List<Column> columns, List<String> headers, List<Row> rows) {

    /** Rows start five rows below the RuleTable cell, which the canonical form puts in row 6. */
    static final int TABLE_ROW = 5;
    static final int FIRST_ROW = TABLE_ROW + 5;

    /**
     * One row: one list of values per column (Double or String; empty for an empty optional cell),
     * where it was read ({@code row} and each column's first cell {@code start}, 0-based) and,
     * once layered, where it comes from ({@code origin}: the path of the file that gives it).
     */
    public record Row(List<List<Object>> values, String path, String sheet, int row, int[] start, String origin) {
        public Row withOrigin(String origin) { return new Row(values, path, sheet, row, start, origin); }

        /** The cell as text: its values joined by ", " the way the engine's cell holds them. */
        public String cell(int column) {
            List<String> parts = new ArrayList<>();
            for (Object o : values.get(column)) parts.add(o instanceof Double d ? TableCheck.fmt(d) : o.toString());
            return String.join(", ", parts);
        }

        /** Same values (numbers compared as numbers). */
        public boolean sameValues(Row other) { return Objects.equals(values, other.values); }
    }

    /** The row's key as the analyst reads it (the key columns' first values joined by " / "). */
    public String key(Row row) {
        List<String> k = new ArrayList<>();
        for (int c : schema.key()) k.add(row.values().get(c).isEmpty() ? "" : String.valueOf(value(row.values().get(c).getFirst())));
        return String.join(" / ", k);
    }

    private static Object value(Object o) { return o instanceof Double d ? TableCheck.fmt(d) : o; }

    /** The same columns (the engine code of each), so rows of the two tables can replace each other. */
    public boolean sameColumns(TableRows other) {
        if (columns.size() != other.columns.size()) return false;
        for (int c = 0; c < columns.size(); c++) {
            if (!Objects.equals(squash(columns.get(c).code()), squash(other.columns.get(c).code()))) return false;
        }
        return true;
    }

    public TableRows withRows(List<Row> rows) { return new TableRows(schema, path, sheet, title, ruleSet, columns, headers, rows); }

    /**
     * The table in the engine's CSV form, generated from the schema's engine rows and the checked
     * values (numbers written with a decimal point whatever the author's locale). Rows keep their
     * numbers when the table was read from a file laid out as shipped, so rule names stay stable.
     */
    public String canonicalCsv() {
        List<List<String>> out = new ArrayList<>();
        out.add(List.of("RuleSet", ruleSet));
        out.add(List.of("Import", "dev.thrillring.engine.model.Fact, dev.thrillring.engine.model.SubjectState"));
        out.add(List.of("Variables", "dev.thrillring.engine.model.Outcomes outcomes"));
        while (out.size() < TABLE_ROW) out.add(List.of());
        out.add(List.of("RuleTable " + title));
        List<String> kw = new ArrayList<>(), obj = new ArrayList<>(), code = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            kw.add(columns.get(c).keyword());
            String type = "";
            for (TableSchema.Pattern p : schema.patterns()) if (c >= p.from() && c <= p.to()) type = p.objectType();
            obj.add(type);
            code.add(columns.get(c).code());
        }
        out.add(kw);
        out.add(obj);
        out.add(code);
        out.add(headers);
        for (Row r : rows) {
            List<String> cells = new ArrayList<>();
            for (int c = 0; c < columns.size(); c++) cells.add(r.cell(c));
            out.add(cells);
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> line : out) {
            for (int i = 0; i < line.size(); i++) {
                if (i > 0) sb.append(',');
                sb.append(quote(line.get(i)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Where the cell {@code canonical} (an address in {@link #canonicalCsv}) was read: file, sheet and cell. */
    public Location locate(String canonical) {
        if (canonical == null) return new Location(path, sheet, null);
        var ref = new org.apache.poi.ss.util.CellReference(canonical);
        int i = ref.getRow() - FIRST_ROW;
        if (i < 0 || i >= rows.size()) return new Location(path, sheet, null);
        Row r = rows.get(i);
        int c = Math.min(Math.max(ref.getCol(), 0), r.start().length - 1);
        return new Location(r.path(), r.sheet(), TableGrid.address(r.row(), r.start()[c]));
    }

    /** A place in an author's file. */
    public record Location(String path, String sheet, String cell) {}

    private static String quote(String s) {
        if (s.isEmpty()) return "";
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static String squash(String s) { return s == null ? null : s.replaceAll("\\s+", ""); }
}
