package dev.thrillring.engine.authoring;

import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.CellValue;
import org.apache.poi.ss.usermodel.DateUtil;
import org.apache.poi.ss.usermodel.FormulaError;
import org.apache.poi.ss.usermodel.FormulaEvaluator;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.ss.util.CellReference;

import dev.thrillring.engine.RuleResource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One sheet of a decision table as values, not text: numbers are read from a numeric cell's value,
 * formulas are evaluated, error values (#VALUE!) and dates are kept as such so the schema check can
 * name them. CSV files give one sheet of text cells; OpenDocument files are read by {@link OdsTables}.
 */
record TableGrid(String sheet, Map<Long, Value> cells, List<CellRangeAddress> merged, int rows, boolean csv) {

    /** What a cell holds once read. */
    enum Kind { BLANK, TEXT, NUMBER, DATE, BOOLEAN, ERROR }

    record Value(Kind kind, String text, double number) {
        static final Value BLANK = new Value(Kind.BLANK, "", 0);

        boolean blank() { return kind == Kind.BLANK || (kind == Kind.TEXT && text.isBlank()); }

        /** The cell as an analyst reads it, for messages. */
        String shown() {
            return switch (kind) {
                case NUMBER -> number == Math.rint(number) && Math.abs(number) < 1e15 ? Long.toString((long) number) : Double.toString(number);
                default -> text;
            };
        }
    }

    Value at(int row, int col) { return cells.getOrDefault(key(row, col), Value.BLANK); }

    /** The merged range covering a cell, or null. */
    CellRangeAddress mergedAt(int row, int col) {
        for (CellRangeAddress r : merged) if (r.isInRange(row, col)) return r;
        return null;
    }

    static String address(int row, int col) { return new CellReference(row, col).formatAsString(false); }

    static String columnLetter(int col) { return CellReference.convertNumToColString(col); }

    static long key(int row, int col) { return ((long) row << 20) | col; }

    /**
     * Every sheet that holds a RuleTable, or the CSV's single sheet. Without {@code evaluate},
     * formula cells are read as errors (enough to find a table's title, and cheap on any upload).
     */
    static List<TableGrid> read(String path, byte[] content, RuleResource.Kind kind, boolean evaluate) throws IOException {
        if (kind == RuleResource.Kind.CSV) return List.of(fromCsv(new String(content, StandardCharsets.UTF_8)));
        if (kind == RuleResource.Kind.ODS) return OdsTables.read(content);
        List<TableGrid> out = new ArrayList<>();
        try (Workbook wb = WorkbookFactory.create(new ByteArrayInputStream(content))) {
            FormulaEvaluator eval = evaluate ? wb.getCreationHelper().createFormulaEvaluator() : null;
            for (Sheet s : wb) {
                Map<Long, Value> cells = new HashMap<>();
                int rows = 0;
                boolean ruleTable = false;
                for (Row row : s) {
                    for (Cell c : row) {
                        Value v = value(c, eval);
                        if (v.kind() == Kind.BLANK) continue;
                        cells.put(key(c.getRowIndex(), c.getColumnIndex()), v);
                        if (v.kind() == Kind.TEXT && v.text().trim().regionMatches(true, 0, "RuleTable", 0, 9)) ruleTable = true;
                        rows = Math.max(rows, c.getRowIndex() + 1);
                    }
                }
                if (ruleTable) out.add(new TableGrid(s.getSheetName(), cells, s.getMergedRegions(), rows, false));
            }
        }
        return out;
    }

    private static Value value(Cell c, FormulaEvaluator eval) {
        CellType type = c.getCellType();
        if (type == CellType.FORMULA) {
            if (eval == null) return new Value(Kind.ERROR, "=formula", 0);
            CellValue v;
            try {
                v = eval.evaluate(c);
            } catch (RuntimeException e) {
                return new Value(Kind.ERROR, "=" + c.getCellFormula(), 0);
            }
            if (v == null) return Value.BLANK;
            return switch (v.getCellType()) {
                case NUMERIC -> DateUtil.isCellDateFormatted(c) ? date(v.getNumberValue()) : new Value(Kind.NUMBER, "", v.getNumberValue());
                case STRING -> new Value(Kind.TEXT, v.getStringValue(), 0);
                case BOOLEAN -> new Value(Kind.BOOLEAN, Boolean.toString(v.getBooleanValue()), 0);
                case ERROR -> new Value(Kind.ERROR, FormulaError.forInt(v.getErrorValue()).getString(), 0);
                default -> Value.BLANK;
            };
        }
        return switch (type) {
            case NUMERIC -> DateUtil.isCellDateFormatted(c) ? date(c.getNumericCellValue()) : new Value(Kind.NUMBER, "", c.getNumericCellValue());
            case STRING -> c.getStringCellValue().isBlank() ? Value.BLANK : new Value(Kind.TEXT, c.getStringCellValue(), 0);
            case BOOLEAN -> new Value(Kind.BOOLEAN, Boolean.toString(c.getBooleanCellValue()), 0);
            case ERROR -> new Value(Kind.ERROR, FormulaError.forInt(c.getErrorCellValue()).getString(), 0);
            default -> Value.BLANK;
        };
    }

    private static Value date(double serial) {
        return new Value(Kind.DATE, DateUtil.getLocalDateTime(serial).toLocalDate().toString(), serial);
    }

    private static TableGrid fromCsv(String text) {
        // Spreadsheet programs save CSV with a UTF-8 byte-order mark.
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        Map<Long, Value> cells = new HashMap<>();
        List<List<String>> rows = parseCsv(text);
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < rows.get(r).size(); c++) {
                String v = rows.get(r).get(c);
                if (!v.isBlank()) cells.put(key(r, c), new Value(Kind.TEXT, v, 0));
            }
        }
        return new TableGrid(null, cells, List.of(), rows.size(), true);
    }

    static List<List<String>> parseCsv(String text) { return Csv.rows(text); }
}
