package dev.thrillring.engine.hostile;

import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Real decision-table files for hostile uploads: CSV text with proper quoting, XLSX written with Apache POI. */
final class Tables {
    private Tables() {}

    /** The usual header of a table: RuleSet, Import of Fact, the outcomes variable. */
    static String[][] header(String ruleSet, String imports, String variables) {
        return new String[][]{{"RuleSet", ruleSet}, {"Import", imports}, {"Variables", variables}, {""}};
    }

    static final String FACT = "dev.thrillring.engine.model.Fact";
    static final String OUTCOMES = "dev.thrillring.engine.model.Outcomes outcomes";

    /** A one-condition, one-action table: {@code type == "$param"} then {@code action}, one data row. */
    static String[][] simple(String ruleSet, String imports, String variables, String actionTemplate, String type, String actionValue) {
        return concat(header(ruleSet, imports, variables), new String[][]{
                {"RuleTable Probe"},
                {"CONDITION", "ACTION"},
                {"Fact", ""},
                {"type == \"$param\"", actionTemplate},
                {"Fact type", "Action"},
                {type, actionValue}});
    }

    /**
     * The same table with quote escaping turned off ({@code EscapeQuotes false}, a RuleSet keyword):
     * by default Drools escapes quotes in cell values, which turns most injections into a string.
     */
    static String[][] unescaped(String[][] rows) {
        String[][] out = new String[rows.length + 1][];
        System.arraycopy(rows, 0, out, 0, 3);
        out[3] = new String[]{"EscapeQuotes", "false"};
        System.arraycopy(rows, 3, out, 4, rows.length - 3);
        return out;
    }

    static String[][] concat(String[][]... parts) {
        int n = 0;
        for (String[][] p : parts) n += p.length;
        String[][] out = new String[n][];
        int i = 0;
        for (String[][] p : parts) for (String[] row : p) out[i++] = row;
        return out;
    }

    /** CSV bytes; cells holding a comma, a quote or a line break are quoted with quotes doubled. */
    static byte[] csv(String[][] rows) {
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                if (c > 0) sb.append(',');
                String v = row[c];
                if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) v = '"' + v.replace("\"", "\"\"") + '"';
                sb.append(v);
            }
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An XLSX workbook with one sheet per entry, cells as text. */
    static byte[] xlsx(Map<String, String[][]> sheets) {
        try (XSSFWorkbook wb = new XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            for (var e : sheets.entrySet()) {
                var sheet = wb.createSheet(e.getKey());
                String[][] rows = e.getValue();
                for (int r = 0; r < rows.length; r++) {
                    var row = sheet.createRow(r);
                    for (int c = 0; c < rows[r].length; c++) {
                        if (!rows[r][c].isEmpty()) row.createCell(c).setCellValue(rows[r][c]);
                    }
                }
            }
            wb.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] xlsx(String sheet, String[][] rows) {
        Map<String, String[][]> m = new LinkedHashMap<>();
        m.put(sheet, rows);
        return xlsx(m);
    }
}
