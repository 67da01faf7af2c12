package dev.thrillring.engine.authoring;

import dev.thrillring.engine.RuleResource;
import dev.thrillring.engine.RuleSetInvalid;
import dev.thrillring.engine.authoring.TableGrid.Kind;
import dev.thrillring.engine.authoring.TableGrid.Value;
import dev.thrillring.engine.authoring.TableSchema.Column;
import dev.thrillring.engine.authoring.TableSchema.Part;
import dev.thrillring.engine.authoring.TableSchema.Type;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks every cell of the decision tables of known kinds against their {@link TableSchema} before
 * anything is compiled, and says what is wrong in the analyst's words: file, sheet, cell, column
 * header and what to do. Damage to the table's layout is one error, not one per rule.
 */
public final class TableCheck {
    private static final Pattern FACT_TYPE = Pattern.compile("type\\s*==\\s*\"([^\"]+)\"");
    private static final Pattern METRIC = Pattern.compile("\\.(metric|metricMax|streak|countPeriods)\\(\\s*\"([^\"]+)\"");
    private static final Pattern ACHIEVEMENT = Pattern.compile("(?:track|unlock)\\(\\s*\"([^\"$]+)\"");
    private static final Pattern NUMBER = Pattern.compile("[-+]?\\d+(\\.\\d+)?");
    private static final Pattern COMMA_NUMBER = Pattern.compile("[-+]?[\\d.]*\\d,\\d+");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

    /** Names the rule set knows; references to others are errors. {@code rules} is false for tables checked alone. */
    public record Catalogue(Set<String> metrics, Set<String> factTypes, Set<String> achievements, boolean rules) {}

    /** A table read for checking. */
    private record Table(RuleResource resource, TableSchema schema, List<TableGrid> sheets) {}

    private TableCheck() {}

    /**
     * The errors of each table of a known kind among {@code resources}, by path; tables without
     * errors are absent. DRL files and the tables themselves tell which metrics, fact types and
     * achievements exist.
     */
    public static Map<String, List<RuleSetInvalid.Error>> check(List<RuleResource> resources) {
        return read(resources).errors();
    }

    /**
     * What the tables of known kinds hold: the errors of each table with any (by path), and the
     * checked rows of each table without errors (by path, one {@link TableRows} per sheet).
     */
    public record Result(Map<String, List<RuleSetInvalid.Error>> errors, Map<String, List<TableRows>> tables, Catalogue catalogue) {
        /** The names a generated workbook offers in its dropdowns. */
        public TableWorkbook.Choices choices() {
            return new TableWorkbook.Choices(catalogue.metrics(), catalogue.factTypes(), catalogue.achievements());
        }
    }

    /** Checks every table of a known kind among {@code resources} and reads the rows of those that pass. */
    public static Result read(List<RuleResource> resources) {
        Map<String, List<RuleSetInvalid.Error>> out = new LinkedHashMap<>();
        Map<String, List<TableRows>> good = new LinkedHashMap<>();
        List<Table> tables = new ArrayList<>();
        Set<String> metrics = new TreeSet<>();
        Set<String> factTypes = new TreeSet<>();
        Set<String> achievements = new TreeSet<>();
        boolean rules = false;
        for (RuleResource r : resources) {
            if (r.kind() == RuleResource.Kind.DRL) {
                rules = true;
                String drl = new String(r.content(), StandardCharsets.UTF_8);
                collect(FACT_TYPE, 1, drl, factTypes);
                Matcher m = METRIC.matcher(drl);
                while (m.find()) {
                    metrics.add(m.group(2));
                    if (m.group(1).equals("streak")) metrics.add(m.group(2) + ".last");
                }
                collect(ACHIEVEMENT, 1, drl, achievements);
                continue;
            }
            List<TableGrid> sheets;
            TableSchema schema = TableSchema.forFile(r.path());
            boolean csv = r.kind() == RuleResource.Kind.CSV;
            try {
                // Formulas are evaluated only in tables of a known kind; others are read for their title.
                sheets = TableGrid.read(r.path(), r.content(), r.kind(), schema != null);
                if (schema == null) {
                    schema = byTitle(sheets);
                    if (schema == null) continue;
                    if (!csv) sheets = TableGrid.read(r.path(), r.content(), r.kind(), true);
                }
            } catch (IOException | RuntimeException e) {
                out.put(r.path(), List.of(RuleSetInvalid.Error.inFile(r.path(), "cannot be opened as a spreadsheet ("
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                        + "); save it as .xlsx, .xls, .ods or .csv from your spreadsheet program")));
                continue;
            }
            tables.add(new Table(r, schema, sheets));
            for (TableGrid g : sheets) {
                int r0 = ruleTableRow(g);
                if (r0 < 0) continue;
                for (int row = r0 + 5; row < g.rows(); row++) {
                    String first = g.at(row, 0).text().trim();
                    if (schema.kind().equals("achievement-thresholds")) {
                        String key = first.split(",", -1)[0].trim();
                        if (!key.isEmpty()) achievements.add(key);
                    } else if (schema.kind().equals("fact-points") && !first.isEmpty()) {
                        factTypes.add(first);
                    }
                }
            }
        }
        Catalogue cat = new Catalogue(metrics, factTypes, achievements, rules);
        for (Table t : tables) {
            List<RuleSetInvalid.Error> errors = new ArrayList<>();
            List<TableRows> rows = new ArrayList<>();
            for (TableGrid g : t.sheets()) {
                SheetCheck sc = new SheetCheck(t.resource().path(), g, t.schema(), cat);
                errors.addAll(sc.run());
                if (sc.table != null) rows.add(sc.table);
            }
            if (!errors.isEmpty()) out.put(t.resource().path(), errors);
            else good.put(t.resource().path(), rows);
        }
        return new Result(out, good, cat);
    }

    private static void collect(Pattern p, int group, String text, Set<String> into) {
        Matcher m = p.matcher(text);
        while (m.find()) into.add(m.group(group));
    }

    private static TableSchema byTitle(List<TableGrid> sheets) {
        for (TableGrid g : sheets) {
            int r0 = ruleTableRow(g);
            if (r0 < 0) continue;
            String title = g.at(r0, 0).text().trim().substring(9).trim();
            for (TableSchema s : TableSchema.KINDS) if (s.title().equalsIgnoreCase(title)) return s;
        }
        return null;
    }

    static int ruleTableRow(TableGrid g) {
        for (int r = 0; r < g.rows(); r++) {
            Value v = g.at(r, 0);
            if (v.kind() == Kind.TEXT && v.text().trim().regionMatches(true, 0, "RuleTable", 0, 9)) return r;
        }
        return -1;
    }

    /** The check of one sheet: layout first (one error), then every cell, then rows against each other. */
    private static final class SheetCheck {
        private final String path;
        private final TableGrid g;
        private final TableSchema schema;
        private final Catalogue cat;
        private final List<RuleSetInvalid.Error> errors = new ArrayList<>();
        private final List<TableRows.Row> read = new ArrayList<>();
        private TableRows table;

        SheetCheck(String path, TableGrid g, TableSchema schema, Catalogue cat) {
            this.path = path;
            this.g = g;
            this.schema = schema;
            this.cat = cat;
        }

        List<RuleSetInvalid.Error> run() {
            int r0 = ruleTableRow(g);
            if (r0 < 0) return List.of(layout(null, "has no 'RuleTable' cell in column A, so it is not a " + schema.title()
                    + " table; download a fresh workbook and copy your rows into it"));
            List<Column> columns = layout(r0);
            if (columns == null) return errors;
            rows(r0 + 5, columns);
            List<String> headers = new ArrayList<>();
            for (int c = 0; c < columns.size(); c++) {
                headers.add(columns.get(c).header() != null ? columns.get(c).header() : g.at(r0 + 4, start[c]).shown().trim());
            }
            table = new TableRows(schema, path, g.sheet(), g.at(r0, 0).text().trim().substring(9).trim(), ruleSet(r0), columns, headers, read);
            return errors;
        }

        /** The package the RuleSet cell above the table names, or a default. */
        private String ruleSet(int r0) {
            for (int r = 0; r < r0; r++) {
                if (g.at(r, 0).text().trim().equalsIgnoreCase("RuleSet") && !g.at(r, 1).blank()) return g.at(r, 1).text().trim();
            }
            return "dev.thrillring.rules.tables";
        }

        /** Physical first column and width of each logical column (a value per cell in a generated workbook). */
        private int[] start = new int[0], span = new int[0];
        private int physicalWidth;

        /** The table's columns, or null after recording the one layout error. */
        private List<Column> layout(int r0) {
            int kw = r0 + 1, obj = r0 + 2, code = r0 + 3, head = r0 + 4;
            List<Integer> starts = new ArrayList<>(), spans = new ArrayList<>();
            int p = 0;
            while (!g.at(kw, p).blank()) {
                var merged = g.mergedAt(code, p);
                int w = merged != null && merged.getFirstColumn() == p && merged.getFirstRow() == code ? merged.getLastColumn() - p + 1 : 1;
                starts.add(p);
                spans.add(w);
                p += w;
            }
            physicalWidth = p;
            int width = starts.size();
            start = starts.stream().mapToInt(Integer::intValue).toArray();
            span = spans.stream().mapToInt(Integer::intValue).toArray();
            if (width == 0) {
                errors.add(layout(TableGrid.address(kw, 0), "row " + (kw + 1) + " must name CONDITION or ACTION above every column, but it is empty;"
                        + " the engine rows under 'RuleTable' were changed. Download a fresh workbook and copy your rows into it"));
                return null;
            }
            List<Column> columns = new ArrayList<>();
            for (int c = 0; c < width; c++) {
                Column col = schema.columnAt(c, g.at(code, start[c]).text());
                if (col == null) {
                    errors.add(layout(TableGrid.address(head, start[c]), "column " + TableGrid.columnLetter(start[c]) + " ('" + g.at(head, start[c]).shown()
                            + "') is not a column of the " + schema.title() + " table, which has " + headers() + ". Delete the column"));
                    return null;
                }
                if (span[c] > 1 && span[c] != col.parts().size()) {
                    errors.add(layout(TableGrid.address(code, start[c]), "the engine cell " + TableGrid.address(code, start[c]) + " spans " + span[c]
                            + " columns, but '" + col.header() + "' has " + col.parts().size() + " values. Download a fresh workbook and copy your rows into it"));
                    return null;
                }
                columns.add(col);
            }
            if (width < schema.columns().size()) {
                Column missing = schema.columns().get(width);
                errors.add(layout(TableGrid.address(kw, physicalWidth), "the column '" + missing.header() + "' is missing; the " + schema.title()
                        + " table has " + headers() + ". Put the column back (download a fresh workbook to copy it)"));
                return null;
            }
            for (int c = 0; c < width; c++) {
                Column col = columns.get(c);
                if (!g.at(kw, start[c]).text().trim().equalsIgnoreCase(col.keyword())
                        || (col.code() != null && !squash(g.at(code, start[c]).text()).equals(squash(col.code())))) {
                    errors.add(layout(TableGrid.address(kw, start[c]), "the engine rows " + (kw + 1) + " to " + (code + 1) + " of column "
                            + TableGrid.columnLetter(start[c]) + " were changed; they must stay as the workbook was generated. Download a fresh workbook and copy your rows into it"));
                    return null;
                }
            }
            if (!objectTypes(obj)) return null;
            for (int c = 0; c < width; c++) {
                Column col = columns.get(c);
                for (int i = 0; i < span[c]; i++) {
                    String found = g.at(head, start[c] + i).shown().trim();
                    String expected = span[c] > 1 ? schema.partHeader(col, i) : col.header();
                    if (expected == null ? found.isEmpty() : !squash(found).equalsIgnoreCase(squash(expected))) {
                        boolean dataInstead = c == 0 && i == 0 && !found.isEmpty();
                        errors.add(layout(TableGrid.address(head, start[c] + i), dataInstead && columns.getFirst().header() != null
                                ? "row " + (head + 1) + " must hold the column headers (" + headers() + ") but holds '" + found
                                  + "': the header row was deleted, so the engine would skip this row. Put the header row back above your first row"
                                : "the header of column " + TableGrid.columnLetter(start[c] + i) + " must be '" + (expected == null ? "a board name" : expected)
                                  + "'; found '" + found + "'. The header row may not be changed: put it back as it was"));
                        return null;
                    }
                }
            }
            int maxCol = 0;
            for (long k : g.cells().keySet()) if ((k >> 20) >= head) maxCol = Math.max(maxCol, (int) (k & 0xFFFFF));
            for (int c = physicalWidth; c <= maxCol; c++) {
                for (int r = head; r < g.rows(); r++) {
                    if (!g.at(r, c).blank()) {
                        errors.add(layout(TableGrid.address(r, c), "column " + TableGrid.columnLetter(c) + " is outside the table, which has "
                                + physicalWidth + " columns (A to " + TableGrid.columnLetter(physicalWidth - 1) + "); the engine would ignore '" + g.at(r, c).shown()
                                + "'. Delete the column, or keep notes on a separate sheet"));
                        return null;
                    }
                }
            }
            return columns;
        }

        /** Each pattern's ObjectType cell: filled on its first column, merged over the others in a workbook. */
        private boolean objectTypes(int obj) {
            for (TableSchema.Pattern p : schema.patterns()) {
                int from = start[p.from()], to = start[p.to()] + span[p.to()] - 1;
                String first = g.at(obj, from).text();
                if (!squash(first).equals(squash(p.objectType()))) {
                    errors.add(layout(TableGrid.address(obj, from), "the engine cell " + TableGrid.address(obj, from) + " must hold '"
                            + p.objectType() + "'; found '" + first.trim() + "'. Download a fresh workbook and copy your rows into it"));
                    return false;
                }
                if (to == from) continue;
                if (g.csv()) {
                    for (int c = from + 1; c <= to; c++) {
                        if (!squash(g.at(obj, c).text()).equals(squash(p.objectType()))) {
                            errors.add(layout(TableGrid.address(obj, c), "the engine cell " + TableGrid.address(obj, c) + " must repeat '"
                                    + p.objectType() + "' in a CSV table; found '" + g.at(obj, c).text().trim() + "'"));
                            return false;
                        }
                    }
                    continue;
                }
                var merged = g.mergedAt(obj, from);
                if (merged == null || merged.getFirstColumn() != from || merged.getLastColumn() != to || merged.getFirstRow() != obj) {
                    String range = TableGrid.address(obj, from) + ":" + TableGrid.address(obj, to);
                    errors.add(layout(TableGrid.address(obj, from), "the engine cells " + range + " must be one merged cell holding '"
                            + p.objectType() + "'; unmerged, each column matches a fact of its own and rules fire once per pair"
                            + " (a table saved from CSV loses the merge). Merge " + range + " or download a fresh workbook"));
                    return false;
                }
            }
            return true;
        }

        private void rows(int first, List<Column> columns) {
            int blankRow = -1;
            Map<String, Integer> keys = new HashMap<>();
            List<double[]> tiers = new ArrayList<>();
            List<String> tierTypes = new ArrayList<>();
            List<Integer> tierRows = new ArrayList<>();
            for (int r = first; r < g.rows(); r++) {
                if (g.at(r, 0).kind() == Kind.TEXT && g.at(r, 0).text().trim().regionMatches(true, 0, "RuleTable", 0, 9)) {
                    errors.add(layout(TableGrid.address(r, 0), "a second table starts in row " + (r + 1) + "; a sheet holds one "
                            + schema.title() + " table. Move the rows into the first table or onto a sheet of their own"));
                    return;
                }
                boolean blank = true;
                for (int c = 0; c < physicalWidth; c++) blank &= g.at(r, c).blank();
                if (blank) {
                    if (blankRow < 0) blankRow = r;
                    continue;
                }
                if (blankRow >= 0) {
                    errors.add(err(TableGrid.address(blankRow, 0), null, "row " + (blankRow + 1) + " is empty, so the engine stops reading the table there"
                            + " and would ignore row " + (r + 1) + " and the rows below it. Delete the empty row"));
                    return;
                }
                List<List<Object>> values = new ArrayList<>();
                boolean ok = true;
                for (int c = 0; c < columns.size(); c++) {
                    List<Object> v = cell(r, c, columns.get(c));
                    ok &= v != null;
                    values.add(v);
                }
                if (!ok) continue;
                int errorsBefore = errors.size();
                StringBuilder key = new StringBuilder();
                for (int k : schema.key()) key.append(values.get(k).isEmpty() ? "" : values.get(k).getFirst()).append('|');
                Integer before = keys.putIfAbsent(key.toString(), r);
                int kc = schema.key().getFirst();
                if (before != null) {
                    errors.add(err(TableGrid.address(r, start[kc]), columns.get(kc).header(), "row " + (r + 1) + " repeats the row key ("
                            + keyHeaders(columns) + ") of row " + (before + 1) + "; each may appear once. Delete one of the rows or change it"));
                }
                if (schema.kind().equals("achievement-thresholds") && !values.get(1).isEmpty() && values.get(1).getFirst().equals(values.get(0).getFirst())) {
                    errors.add(err(TableGrid.address(r, start[1]), columns.get(1).header(), "an achievement cannot require itself; empty the cell or name another achievement"));
                }
                if (schema.kind().equals("referral-reward-tiers")) {
                    double lo = (Double) values.get(2).getFirst(), hi = (Double) values.get(3).getFirst();
                    if (hi <= lo) {
                        errors.add(err(TableGrid.address(r, start[3]), columns.get(3).header(), "the tier's upper bound (" + fmt(hi)
                                + ") must be more than its lower bound in " + TableGrid.address(r, start[2]) + " (" + fmt(lo) + ")"));
                        continue;
                    }
                    String type = (String) values.get(1).getFirst();
                    for (int i = 0; i < tiers.size(); i++) {
                        if (tierTypes.get(i).equals(type) && lo < tiers.get(i)[1] && tiers.get(i)[0] < hi) {
                            errors.add(err(TableGrid.address(r, start[2]), columns.get(2).header(), "this tier (" + fmt(lo) + " to fewer than " + fmt(hi)
                                    + ") overlaps the tier of row " + (tierRows.get(i) + 1) + " (" + fmt(tiers.get(i)[0]) + " to fewer than " + fmt(tiers.get(i)[1])
                                    + ") for '" + type + "', so a referral would earn both rewards. Make the ranges meet without overlapping"));
                        }
                    }
                    tiers.add(new double[] {lo, hi});
                    tierTypes.add(type);
                    tierRows.add(r);
                }
                if (errors.size() == errorsBefore) read.add(new TableRows.Row(values, path, g.sheet(), r, start.clone(), null));
            }
        }

        /** The cell's values (one per part, empty for an empty optional cell), or null after recording its error. */
        private List<Object> cell(int r, int c, Column col) {
            if (span[c] > 1) return split(r, c, col);
            Value v = g.at(r, start[c]);
            String header = col.header() == null ? g.at(headerRow(), start[c]).shown() : col.header();
            String addr = TableGrid.address(r, start[c]);
            currentAddress = addr;
            if (v.blank()) {
                if (!col.required()) return List.of();
                errors.add(err(addr, header, header + " is required; the cell is empty. " + hint(col)));
                return null;
            }
            if (!col.composite()) {
                Object o = part(col.parts().getFirst(), v, header, col);
                if (o == null) return null;
                List<Object> out = new ArrayList<>();
                out.add(o);
                return out;
            }
            if (v.kind() != Kind.TEXT) {
                errors.add(err(addr, header, header + " must hold " + names(col) + " separated by commas, such as '" + example(col) + "'; found "
                        + describe(v)));
                return null;
            }
            String[] tokens = v.text().split(",", -1);
            List<Part> parts = col.parts();
            if (tokens.length != parts.size()) {
                for (int i = 0; i + 1 < tokens.length && i < parts.size(); i++) {
                    Type t = parts.get(i).type();
                    if ((t == Type.DECIMAL || t == Type.PERCENTAGE) && tokens.length > parts.size()
                            && tokens[i].trim().matches("-?\\d+") && tokens[i + 1].trim().matches("\\d+")) {
                        String found = tokens[i].trim() + "," + tokens[i + 1].trim();
                        errors.add(err(addr, header, parts.get(i).name() + " uses a decimal comma: found '" + found + "'. Write "
                                + found.replace(',', '.') + " with a decimal point; the engine reads a comma as the end of the value"));
                        return null;
                    }
                }
                boolean textLast = parts.getLast().type() == Type.TEXT;
                if (textLast && tokens.length > parts.size()) {
                    // A free-text last value (a reason) keeps its commas.
                    String[] joined = java.util.Arrays.copyOf(tokens, parts.size());
                    joined[parts.size() - 1] = String.join(",", java.util.Arrays.copyOfRange(tokens, parts.size() - 1, tokens.length));
                    tokens = joined;
                } else {
                errors.add(err(addr, header, tokens.length > parts.size() && textLast
                        ? parts.getLast().name() + " may not contain a comma; the engine splits the cell at commas. Found '" + v.text().trim() + "'"
                        : header + " must hold " + parts.size() + " values (" + names(col) + ") separated by commas, such as '" + example(col)
                          + "'; found '" + v.text().trim() + "'"));
                return null;
                }
            }
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                String t = tokens[i].trim();
                if (t.isEmpty()) {
                    errors.add(err(addr, header, parts.get(i).name() + " (value " + (i + 1) + " of " + names(col) + ") is empty; write one such as '"
                            + parts.get(i).example() + "'"));
                    return null;
                }
                Object o = part(parts.get(i), new Value(Kind.TEXT, t, 0), header, col);
                if (o == null) return null;
                out.add(o);
            }
            return out;
        }

        /** A composite column written one value per cell (a generated workbook): each part read from its own cell. */
        private List<Object> split(int r, int c, Column col) {
            boolean allBlank = true;
            for (int i = 0; i < span[c]; i++) allBlank &= g.at(r, start[c] + i).blank();
            if (allBlank && !col.required()) return List.of();
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < span[c]; i++) {
                Part part = col.parts().get(i);
                String header = schema.partHeader(col, i);
                Value v = g.at(r, start[c] + i);
                currentAddress = TableGrid.address(r, start[c] + i);
                if (v.blank()) {
                    errors.add(err(currentAddress, header, header + " is required; the cell is empty. Write one such as '" + part.example() + "'"));
                    return null;
                }
                if (part.type() != Type.TEXT && v.kind() == Kind.TEXT && v.text().contains(",") && !COMMA_NUMBER.matcher(v.text().trim()).matches()) {
                    errors.add(err(currentAddress, header, header + " holds one value; found '" + v.text().trim() + "'. Remove the comma"));
                    return null;
                }
                Object o = part(part, v, header, col);
                if (o == null) return null;
                out.add(o);
            }
            return out;
        }

        private int headerRowCache = -1;

        private int headerRow() {
            if (headerRowCache < 0) headerRowCache = ruleTableRow(g) + 4;
            return headerRowCache;
        }

        /** One value checked against its part, as a Double or a String; null after recording the error. */
        private Object part(Part p, Value v, String header, Column col) {
            return value(p, v, header, msg -> errors.add(err(currentAddress, header, msg)));
        }

        /** The cell being checked, for its errors. */
        private String currentAddress;

        private Object value(Part p, Value v, String header, java.util.function.Consumer<String> fail) {
            String name = p.name();
            switch (p.type()) {
                case INTEGER, DECIMAL, PERCENTAGE, DAYS -> {
                    Double n = switch (v.kind()) {
                        case NUMBER -> v.number();
                        case TEXT -> {
                            String t = v.text().trim();
                            if (NUMBER.matcher(t).matches()) yield Double.parseDouble(t);
                            if (COMMA_NUMBER.matcher(t).matches()) {
                                fail.accept(name + " uses a decimal comma: found '" + t + "'. Write " + t.replace(".", "").replace(',', '.')
                                        + " with a decimal point, or type the number into a number cell");
                            } else if (p.type() == Type.PERCENTAGE && t.endsWith("%")) {
                                fail.accept(name + " is a percentage: write it without the % sign, such as " + p.example() + "; found '" + t + "'");
                            } else {
                                fail.accept(name + " must be " + what(p) + "; found '" + t + "'. Type a number such as " + p.example());
                            }
                            yield null;
                        }
                        case DATE -> {
                            fail.accept(name + " must be " + what(p) + "; found a date (" + v.text() + "). Type a plain number such as "
                                    + p.example() + " and format the cell as a number, not a date");
                            yield null;
                        }
                        case ERROR -> {
                            fail.accept("the cell shows the error " + v.text() + "; correct its formula or type " + what(p) + " such as " + p.example());
                            yield null;
                        }
                        default -> {
                            fail.accept(name + " must be " + what(p) + "; found " + describe(v) + ". Type a number such as " + p.example());
                            yield null;
                        }
                    };
                    if (n == null) return null;
                    if ((p.type() == Type.INTEGER || p.type() == Type.DAYS) && n != Math.rint(n)) {
                        fail.accept(name + " must be " + what(p) + "; found " + fmt(n) + ". Round it to a whole number");
                        return null;
                    }
                    if (n < p.min() || n > p.max()) {
                        fail.accept(name + " must be " + range(p) + "; found " + fmt(n));
                        return null;
                    }
                    return n;
                }
                default -> {
                    if (v.kind() == Kind.ERROR) {
                        fail.accept("the cell shows the error " + v.text() + "; correct its formula or type a value such as '" + p.example() + "'");
                        return null;
                    }
                    String t = v.kind() == Kind.NUMBER ? v.shown() : v.text().trim();
                    return text(p, t, v, fail);
                }
            }
        }

        private Object text(Part p, String t, Value v, java.util.function.Consumer<String> fail) {
            String name = p.name();
            switch (p.type()) {
                case ENUM -> {
                    String lower = t.toLowerCase(Locale.ROOT);
                    if (p.values().contains(t)) return t;
                    if (p.values().contains(lower)) {
                        fail.accept(name + " must be written in lower case: write '" + lower + "'; found '" + t + "'");
                        return null;
                    }
                    fail.accept(name + " must be one of " + String.join(", ", p.values()) + "; found '" + t + "'" + suggest(lower, p.values()));
                    return null;
                }
                case BOOLEAN -> {
                    if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) return t.toLowerCase(Locale.ROOT);
                    fail.accept(name + " must be true or false (or empty); found '" + t + "'");
                    return null;
                }
                case TEXT -> {
                    if (t.contains("\"") || t.contains("\\")) {
                        fail.accept(name + " may not contain double quotes or backslashes; found '" + t + "'. Use single quotes instead");
                        return null;
                    }
                    if (t.length() > 500) {
                        fail.accept(name + " is " + t.length() + " characters long; at most 500 are allowed");
                        return null;
                    }
                    return t;
                }
                default -> {
                    if (!NAME.matcher(t).matches()) {
                        fail.accept(name + " must be a name of letters, digits, '-', '_' or '.', without spaces; found '" + t + "'");
                        return null;
                    }
                    if (p.type() == Type.METRIC && cat.rules() && !cat.metrics().contains(t)) {
                        fail.accept("no rule counts the metric '" + t + "'" + suggest(t, cat.metrics()) + ", so this achievement could never be reached."
                                + " Use a metric the platform's rules count: " + sample(cat.metrics()));
                        return null;
                    }
                    if (p.type() == Type.FACT_TYPE && cat.rules() && !schema.kind().equals("fact-points") && !cat.factTypes().contains(t)) {
                        fail.accept("no rule and no fact-points row knows the fact type '" + t + "'" + suggest(t, cat.factTypes())
                                + ", so this row would never fire. Known fact types: " + sample(cat.factTypes()));
                        return null;
                    }
                    if (p.type() == Type.ACHIEVEMENT && !cat.achievements().contains(t)) {
                        fail.accept("no achievement has the key '" + t + "'" + suggest(t, cat.achievements())
                                + ", so the row could never unlock. Name an achievement of the first column, or empty the cell");
                        return null;
                    }
                    if (schema.kind().equals("fraud-indicators") && name.equals("Signal attribute") && !t.startsWith("signal_")) {
                        fail.accept("Signal attribute must name a signal the service computes, starting with 'signal_'; found '" + t + "'");
                        return null;
                    }
                    return t;
                }
            }
        }

        private String keyHeaders(List<Column> columns) {
            List<String> h = new ArrayList<>();
            for (int k : schema.key()) h.add(columns.get(k).header());
            return String.join(" and ", h);
        }

        private String headers() {
            List<String> h = new ArrayList<>();
            for (Column c : schema.columns()) h.add("'" + c.header() + "'");
            if (schema.repeated() != null) h.add("one column per leaderboard");
            return String.join(", ", h);
        }

        private RuleSetInvalid.Error layout(String cell, String message) {
            return new RuleSetInvalid.Error(path, null, g.sheet(), cell, null, "The layout of this " + schema.title() + " table is damaged: " + message + ".");
        }

        private RuleSetInvalid.Error err(String cell, String column, String message) {
            String m = Character.toUpperCase(message.charAt(0)) + message.substring(1);
            return new RuleSetInvalid.Error(path, null, g.sheet(), cell, column, m.endsWith(".") ? m : m + ".");
        }
    }

    private static String hint(Column col) {
        return "Write " + names(col) + ", such as '" + example(col) + "' (" + col.meaning() + ")";
    }

    private static String names(Column col) {
        List<String> n = new ArrayList<>();
        for (Part p : col.parts()) n.add(p.name().toLowerCase(Locale.ROOT));
        return String.join(", ", n);
    }

    private static String example(Column col) {
        List<String> n = new ArrayList<>();
        for (Part p : col.parts()) n.add(p.example());
        return String.join(", ", n);
    }

    private static String what(Part p) {
        return switch (p.type()) {
            case INTEGER -> "a whole number";
            case DAYS -> "a whole number of days";
            case PERCENTAGE -> "a percentage from 0 to 100";
            default -> "a number";
        };
    }

    private static String range(Part p) {
        if (p.min() > 0 && p.min() < 1) return "more than 0";
        if (p.max() >= 1e12) return "at least " + fmt(p.min());
        return "from " + fmt(p.min()) + " to " + fmt(p.max());
    }

    static String fmt(double n) {
        return n == Math.rint(n) && Math.abs(n) < 1e15 ? Long.toString((long) n) : Double.toString(n);
    }

    private static String describe(Value v) {
        return switch (v.kind()) {
            case NUMBER -> "the number " + v.shown();
            case DATE -> "a date (" + v.text() + ")";
            case BOOLEAN -> "the value " + v.text().toUpperCase(Locale.ROOT);
            case ERROR -> "the error " + v.text();
            default -> "'" + v.text().trim() + "'";
        };
    }

    private static String squash(String s) { return s.replaceAll("\\s+", ""); }

    private static String sample(Set<String> names) {
        List<String> l = new ArrayList<>(names);
        return l.size() <= 12 ? String.join(", ", l) : String.join(", ", l.subList(0, 12)) + " and " + (l.size() - 12) + " more";
    }

    /** "; did you mean 'week'?" for a near miss (edit distance at most 2, or a prefix). */
    static String suggest(String found, java.util.Collection<String> known) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(found.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (found.toLowerCase(Locale.ROOT).startsWith(k.toLowerCase(Locale.ROOT)) && k.length() >= 3) d = Math.min(d, 2);
            if (d < bestD) { bestD = d; best = k; }
        }
        return best != null && bestD <= 2 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
