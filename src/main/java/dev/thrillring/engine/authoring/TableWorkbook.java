package dev.thrillring.engine.authoring;

import dev.thrillring.engine.authoring.TableSchema.Column;
import dev.thrillring.engine.authoring.TableSchema.Part;
import dev.thrillring.engine.authoring.TableSchema.Type;
import org.apache.poi.ss.usermodel.BorderStyle;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.ClientAnchor;
import org.apache.poi.ss.usermodel.Comment;
import org.apache.poi.ss.usermodel.DataValidation;
import org.apache.poi.ss.usermodel.DataValidationConstraint;
import org.apache.poi.ss.usermodel.DataValidationHelper;
import org.apache.poi.ss.usermodel.FillPatternType;
import org.apache.poi.ss.usermodel.Font;
import org.apache.poi.ss.usermodel.IndexedColors;
import org.apache.poi.ss.usermodel.Name;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.VerticalAlignment;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.ss.util.CellRangeAddressList;
import org.apache.poi.xssf.usermodel.XSSFDrawing;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The workbook an analyst works in, generated from a table's schema and rows: business headers
 * with a comment each, one cell per value (a threshold is a cell of its own, never part of a comma
 * list), readable widths, the header frozen, the engine rows hidden and locked, dropdowns for
 * enumerations and references, number formats and checks per type, and a Notes sheet. The
 * engine reads it back through {@link TableCheck}: a composite column is written as adjacent cells
 * under one merged engine cell.
 */
public final class TableWorkbook {
    /** Rows below the data that keep the dropdowns and number checks, for rows the analyst adds. */
    static final int SPARE_ROWS = 200;

    /** Names the rule set knows, offered in dropdowns (a reference may still name something new, with a warning). */
    public record Choices(Collection<String> metrics, Collection<String> factTypes, Collection<String> achievements) {}

    /** One physical column of the workbook: a column, or one value of a composite column. */
    record Physical(int column, int part, Column col, Part p, String header, String meaning) {}

    /** What each value of a composite column means, for its own header comment. */
    private static final java.util.Map<String, String> PART_MEANINGS = java.util.Map.ofEntries(
            java.util.Map.entry("Key", "the achievement's key: unique, and what Requires and the rules refer to"),
            java.util.Map.entry("Metric", "the metric the achievement counts"),
            java.util.Map.entry("Threshold", "the value of the metric to reach"),
            java.util.Map.entry("Period", "the period the metric is counted in"),
            java.util.Map.entry("Tier", "the tier name the reward shows"),
            java.util.Map.entry("Fixed amount", "a fixed reward amount"),
            java.util.Map.entry("% of value", "a percentage of the conversion's value added to the reward"),
            java.util.Map.entry("Indicator", "the indicator's name, as reviewers see it"),
            java.util.Map.entry("Weight", "the indicator's weight in the fraud score"),
            java.util.Map.entry("Reason", "the reason reviewers see"));

    private TableWorkbook() {}

    /** The physical columns of {@code t}: composite columns spread over one cell per value. */
    static List<Physical> physical(TableRows t) {
        List<Physical> out = new ArrayList<>();
        for (int c = 0; c < t.columns().size(); c++) {
            Column col = t.columns().get(c);
            if (col.parts().size() == 1) {
                out.add(new Physical(c, 0, col, col.parts().getFirst(), t.headers().get(c), col.meaning()));
            } else {
                for (int i = 0; i < col.parts().size(); i++) {
                    Part p = col.parts().get(i);
                    String header = t.schema().partHeader(col, i);
                    String meaning = PART_MEANINGS.getOrDefault(p.name(), p.name().toLowerCase(Locale.ROOT));
                    if (!header.equals(p.name())) meaning += " (" + header.substring(0, header.length() - p.name().length()).trim().toLowerCase(Locale.ROOT) + ")";
                    out.add(new Physical(c, i, col, p, header, meaning));
                }
            }
        }
        return out;
    }

    /** The table as an .xlsx workbook. */
    public static byte[] xlsx(TableRows t, Choices choices) {
        List<Physical> cols = physical(t);
        try (XSSFWorkbook wb = new XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            XSSFSheet sheet = wb.createSheet(sheetName(t));
            XSSFSheet lists = wb.createSheet("Lists");
            Styles st = new Styles(wb);
            engineRows(sheet, t, cols, st);
            header(sheet, wb, cols, st);
            int last = data(sheet, t, cols, st);
            validations(sheet, wb, lists, cols, choices, last);
            for (int i = 0; i < cols.size(); i++) sheet.setColumnWidth(i, width(t, cols, i) * 256);
            for (int r = 0; r < TableRows.FIRST_ROW - 1; r++) sheet.getRow(r).setZeroHeight(true);
            sheet.createFreezePane(0, TableRows.FIRST_ROW);
            sheet.lockInsertRows(false);
            sheet.lockDeleteRows(false);
            sheet.lockFormatColumns(false);
            sheet.lockSort(false);
            sheet.lockAutoFilter(false);
            sheet.protectSheet("");
            notes(wb.createSheet("Notes"), t, cols, st);
            wb.setSheetHidden(wb.getSheetIndex(lists), true);
            wb.setActiveSheet(0);
            wb.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The table as an OpenDocument spreadsheet (SODS): the same layout, comments, hidden engine rows
     * and Notes sheet as {@link #xlsx}; SODS writes no dropdowns or sheet protection, so the
     * .xlsx download is the one to prefer where the program opens both.
     */
    public static byte[] ods(TableRows t) {
        List<Physical> cols = physical(t);
        List<List<Object>> grid = new ArrayList<>();
        String[][] preamble = {{"RuleSet", t.ruleSet()}, {"Import", "dev.thrillring.engine.model.Fact, dev.thrillring.engine.model.SubjectState"},
                {"Variables", "dev.thrillring.engine.model.Outcomes outcomes"}, {"Notes", t.schema().title() + ": see the Notes sheet"}, {}};
        for (String[] line : preamble) grid.add(new ArrayList<>(List.of((Object[]) line)));
        grid.add(new ArrayList<>(List.of("RuleTable " + t.title())));
        List<Object> kw = new ArrayList<>(), obj = new ArrayList<>(), code = new ArrayList<>(), head = new ArrayList<>();
        List<int[]> merges = new ArrayList<>();
        for (int i = 0; i < cols.size(); i++) {
            Physical p = cols.get(i);
            kw.add(p.part() == 0 ? p.col().keyword() : null);
            code.add(p.part() == 0 ? p.col().code() : null);
            head.add(p.header());
            obj.add(null);
            if (p.part() == 0 && p.col().parts().size() > 1) {
                merges.add(new int[] {TableRows.TABLE_ROW + 1, i, p.col().parts().size()});
                merges.add(new int[] {TableRows.TABLE_ROW + 3, i, p.col().parts().size()});
            }
        }
        int[] start = new int[t.columns().size()];
        for (int i = cols.size() - 1; i >= 0; i--) start[cols.get(i).column()] = i;
        for (TableSchema.Pattern p : t.schema().patterns()) {
            int from = start[p.from()], to = start[p.to()] + t.columns().get(p.to()).parts().size() - 1;
            obj.set(from, p.objectType());
            if (to > from) merges.add(new int[] {TableRows.TABLE_ROW + 2, from, to - from + 1});
        }
        grid.add(kw);
        grid.add(obj);
        grid.add(code);
        grid.add(head);
        for (TableRows.Row row : t.rows()) {
            List<Object> line = new ArrayList<>();
            for (Physical p : cols) {
                List<Object> v = row.values().get(p.column());
                line.add(v.isEmpty() ? null : p.col().parts().size() == 1 ? v.getFirst() : v.get(p.part()));
            }
            grid.add(line);
        }
        int width = Math.max(cols.size(), 2);
        com.github.miachm.sods.Sheet sheet = new com.github.miachm.sods.Sheet(sheetName(t), grid.size(), width);
        for (int r = 0; r < grid.size(); r++) {
            for (int c = 0; c < grid.get(r).size(); c++) {
                Object v = grid.get(r).get(c);
                if (v != null) sheet.getRange(r, c).setValue(v);
            }
        }
        for (int[] m : merges) sheet.getRange(m[0], m[1], 1, m[2]).merge();
        for (int i = 0; i < cols.size(); i++) {
            var cell = sheet.getRange(TableRows.FIRST_ROW - 1, i);
            cell.setFontBold(true);
            cell.setBackgroundColor(new com.github.miachm.sods.Color(220, 230, 241));
            cell.setAnnotation(annotation(explain(cols.get(i))));
            sheet.setColumnWidth(i, (double) width(t, cols, i) * 2.2);
        }
        sheet.hideRows(0, TableRows.FIRST_ROW - 1);
        com.github.miachm.sods.Sheet notes = new com.github.miachm.sods.Sheet("Notes", cols.size() + 4, 4);
        notes.getRange(0, 0).setValue(t.schema().title() + " (" + t.schema().kind() + "): a row per " + keyWords(t)
                + ". A tenant's row replaces the platform's row with the same key; rows with new keys are added.");
        String[] titles = {"Column", "What it means", "What it may hold", "Example"};
        for (int c = 0; c < titles.length; c++) notes.getRange(2, c).setValue(titles[c]);
        for (int i = 0; i < cols.size(); i++) {
            Physical p = cols.get(i);
            notes.getRange(3 + i, 0).setValue(p.header());
            notes.getRange(3 + i, 1).setValue(p.meaning());
            notes.getRange(3 + i, 2).setValue(allowed(p.p()) + (p.col().required() ? " Required." : " Optional."));
            notes.getRange(3 + i, 3).setValue(p.p().example());
        }
        com.github.miachm.sods.SpreadSheet ss = new com.github.miachm.sods.SpreadSheet();
        ss.appendSheet(sheet);
        ss.appendSheet(notes);
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ss.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static com.github.miachm.sods.OfficeAnnotation annotation(String text) {
        com.github.miachm.sods.OfficeAnnotationBuilder b = new com.github.miachm.sods.OfficeAnnotationBuilder();
        b.setMsg(text);
        return b.build();
    }

    /** The file name a download of this table carries. */
    public static String fileName(String table, String extension) { return table + ".drl." + extension; }

    static String sheetName(TableRows t) {
        String name = t.title().replaceAll("[\\\\/?*\\[\\]:]", " ").trim();
        return name.isEmpty() ? t.schema().title() : name.substring(0, Math.min(31, name.length()));
    }

    private record Styles(CellStyle engine, CellStyle header, CellStyle text, CellStyle integer, CellStyle decimal) {
        Styles(XSSFWorkbook wb) {
            this(style(wb, false, null, false), style(wb, true, null, false), style(wb, false, "@", true),
                    style(wb, false, "0", true), style(wb, false, "0.####", true));
        }

        CellStyle of(Part p) {
            return switch (p.type()) {
                case INTEGER, DAYS -> integer;
                case DECIMAL, PERCENTAGE -> decimal;
                default -> text;
            };
        }

        private static CellStyle style(XSSFWorkbook wb, boolean header, String format, boolean unlocked) {
            CellStyle s = wb.createCellStyle();
            if (header) {
                Font f = wb.createFont();
                f.setBold(true);
                s.setFont(f);
                s.setFillForegroundColor(IndexedColors.PALE_BLUE.getIndex());
                s.setFillPattern(FillPatternType.SOLID_FOREGROUND);
                s.setWrapText(true);
                s.setVerticalAlignment(VerticalAlignment.TOP);
                s.setBorderBottom(BorderStyle.MEDIUM);
            }
            if (format != null) s.setDataFormat(wb.createDataFormat().getFormat(format));
            s.setLocked(!unlocked);
            return s;
        }
    }

    /** Rows 1 to 9: what the engine reads (hidden and locked). Composite columns' engine cells span their values. */
    private static void engineRows(XSSFSheet sheet, TableRows t, List<Physical> cols, Styles st) {
        String[][] preamble = {{"RuleSet", t.ruleSet()}, {"Import", "dev.thrillring.engine.model.Fact, dev.thrillring.engine.model.SubjectState"},
                {"Variables", "dev.thrillring.engine.model.Outcomes outcomes"}, {"Notes", t.schema().title() + ": see the Notes sheet"}, {}};
        for (int r = 0; r < preamble.length; r++) {
            Row row = sheet.createRow(r);
            for (int c = 0; c < preamble[r].length; c++) set(row, c, preamble[r][c], st.engine());
        }
        set(sheet.createRow(TableRows.TABLE_ROW), 0, "RuleTable " + t.title(), st.engine());
        Row kw = sheet.createRow(TableRows.TABLE_ROW + 1), obj = sheet.createRow(TableRows.TABLE_ROW + 2), code = sheet.createRow(TableRows.TABLE_ROW + 3);
        int[] start = new int[t.columns().size()];
        for (int i = cols.size() - 1; i >= 0; i--) start[cols.get(i).column()] = i;
        for (int c = 0; c < t.columns().size(); c++) {
            Column col = t.columns().get(c);
            int from = start[c], to = from + col.parts().size() - 1;
            for (int p = from; p <= to; p++) {
                set(kw, p, p == from ? col.keyword() : "", st.engine());
                set(code, p, p == from ? col.code() : "", st.engine());
            }
            if (to > from) {
                sheet.addMergedRegion(new CellRangeAddress(kw.getRowNum(), kw.getRowNum(), from, to));
                sheet.addMergedRegion(new CellRangeAddress(code.getRowNum(), code.getRowNum(), from, to));
            }
        }
        for (TableSchema.Pattern p : t.schema().patterns()) {
            int from = start[p.from()], to = start[p.to()] + t.columns().get(p.to()).parts().size() - 1;
            for (int c = from; c <= to; c++) set(obj, c, c == from ? p.objectType() : "", st.engine());
            if (to > from) sheet.addMergedRegion(new CellRangeAddress(obj.getRowNum(), obj.getRowNum(), from, to));
        }
    }

    private static void header(XSSFSheet sheet, XSSFWorkbook wb, List<Physical> cols, Styles st) {
        Row head = sheet.createRow(TableRows.FIRST_ROW - 1);
        head.setHeightInPoints(32);
        XSSFDrawing drawing = sheet.createDrawingPatriarch();
        for (int i = 0; i < cols.size(); i++) {
            Physical p = cols.get(i);
            Cell cell = set(head, i, p.header(), st.header());
            ClientAnchor anchor = wb.getCreationHelper().createClientAnchor();
            anchor.setCol1(i);
            anchor.setCol2(i + 3);
            anchor.setRow1(head.getRowNum());
            anchor.setRow2(head.getRowNum() + 5);
            Comment comment = drawing.createCellComment(anchor);
            comment.setString(wb.getCreationHelper().createRichTextString(explain(p)));
            comment.setAuthor("ThrillRing");
            cell.setCellComment(comment);
        }
    }

    /** What a column means and what it may hold, in the analyst's words. */
    static String explain(Physical p) {
        String required = p.col().required() ? "Required." : "Optional: leave empty for none.";
        return p.header() + ": " + p.meaning() + ". " + allowed(p.p()) + " " + required + " Example: " + p.p().example();
    }

    static String allowed(Part p) {
        return switch (p.type()) {
            case INTEGER -> "A whole number" + bounds(p) + ".";
            case DAYS -> "A whole number of days" + bounds(p) + " (not a date).";
            case DECIMAL -> "A number" + bounds(p) + "; type it with the decimal separator of your spreadsheet program.";
            case PERCENTAGE -> "A percentage from 0 to 100, without the % sign.";
            case ENUM -> "One of: " + String.join(", ", p.values()) + ".";
            case BOOLEAN -> "true or false.";
            case TEXT -> "Text without double quotes.";
            case METRIC -> "A metric the rules count (choose from the list).";
            case FACT_TYPE -> "A fact type the platform sends (choose from the list, or type a new one).";
            case ACHIEVEMENT -> "The key of an achievement in the first column.";
            case IDENTIFIER -> "A name of letters, digits, '-', '_' or '.', without spaces.";
        };
    }

    private static String bounds(Part p) {
        if (p.min() > 0 && p.min() < 1) return " more than 0";
        if (p.max() >= 1e12) return p.min() <= -1e12 ? "" : " of at least " + TableCheck.fmt(p.min());
        return " from " + TableCheck.fmt(p.min()) + " to " + TableCheck.fmt(p.max());
    }

    /** The rows, numbers as numeric cells; returns the last row that keeps the checks. */
    private static int data(XSSFSheet sheet, TableRows t, List<Physical> cols, Styles st) {
        int r = TableRows.FIRST_ROW;
        for (TableRows.Row row : t.rows()) {
            Row out = sheet.createRow(r++);
            for (int i = 0; i < cols.size(); i++) {
                Physical p = cols.get(i);
                List<Object> values = row.values().get(p.column());
                Cell cell = out.createCell(i);
                cell.setCellStyle(st.of(p.p()));
                if (values.isEmpty()) continue;
                Object v = p.col().parts().size() == 1 ? values.getFirst() : values.get(p.part());
                if (v instanceof Double d) cell.setCellValue(d);
                else cell.setCellValue(v.toString());
            }
        }
        int last = r + SPARE_ROWS;
        for (int i = 0; i < cols.size(); i++) sheet.setDefaultColumnStyle(i, st.of(cols.get(i).p()));
        return last;
    }

    private static void validations(XSSFSheet sheet, XSSFWorkbook wb, XSSFSheet lists, List<Physical> cols, Choices choices, int last) {
        DataValidationHelper helper = sheet.getDataValidationHelper();
        int listColumn = 0;
        for (int i = 0; i < cols.size(); i++) {
            Part p = cols.get(i).p();
            CellRangeAddressList range = new CellRangeAddressList(TableRows.FIRST_ROW, last, i, i);
            DataValidationConstraint constraint;
            boolean strict = true;
            switch (p.type()) {
                case ENUM -> constraint = helper.createExplicitListConstraint(p.values().toArray(String[]::new));
                case BOOLEAN -> constraint = helper.createExplicitListConstraint(new String[] {"true", "false"});
                case METRIC, FACT_TYPE, ACHIEVEMENT -> {
                    Collection<String> names = switch (p.type()) {
                        case METRIC -> choices.metrics();
                        case FACT_TYPE -> choices.factTypes();
                        default -> choices.achievements();
                    };
                    if (names.isEmpty()) continue;
                    String name = "choices_" + listColumn;
                    int n = 0;
                    for (String v : names) {
                        Row row = lists.getRow(n) == null ? lists.createRow(n) : lists.getRow(n);
                        row.createCell(listColumn).setCellValue(v);
                        n++;
                    }
                    Name named = wb.createName();
                    named.setNameName(name);
                    String col = org.apache.poi.ss.util.CellReference.convertNumToColString(listColumn);
                    named.setRefersToFormula("Lists!$" + col + "$1:$" + col + "$" + n);
                    listColumn++;
                    constraint = helper.createFormulaListConstraint(name);
                    // A new fact type, metric or achievement can be legitimate: warn, do not stop.
                    strict = false;
                }
                case INTEGER, DAYS -> constraint = helper.createIntegerConstraint(DataValidationConstraint.OperatorType.BETWEEN,
                        TableCheck.fmt(Math.max(p.min(), -1e9)), TableCheck.fmt(Math.min(p.max(), 1e9)));
                case DECIMAL, PERCENTAGE -> constraint = helper.createDecimalConstraint(DataValidationConstraint.OperatorType.BETWEEN,
                        Double.toString(Math.max(p.min(), -1e12)), Double.toString(Math.min(p.max(), 1e12)));
                default -> { continue; }
            }
            DataValidation v = helper.createValidation(constraint, range);
            v.setErrorStyle(strict ? DataValidation.ErrorStyle.STOP : DataValidation.ErrorStyle.WARNING);
            v.setShowErrorBox(true);
            v.createErrorBox(cols.get(i).header(), allowed(p));
            v.setShowPromptBox(true);
            v.createPromptBox(cols.get(i).header(), allowed(p));
            if (p.type() == Type.ENUM || p.type() == Type.BOOLEAN || !strict) v.setSuppressDropDownArrow(true);
            sheet.addValidationData(v);
        }
    }

    private static void notes(XSSFSheet notes, TableRows t, List<Physical> cols, Styles st) {
        int r = 0;
        set(notes.createRow(r++), 0, t.schema().title() + " (" + t.schema().kind() + ")", st.header());
        String[] lines = {
                "Edit the rows on the first sheet: one row per " + keyWords(t) + ". Each column is explained below and in the comment on its header.",
                "Type numbers with the decimal separator of your spreadsheet program; a number typed as text with a comma (0,35) is refused, never misread.",
                "Do not change the header row or the hidden rows above it: they tell the engine what each column does.",
                "Upload the file as it is (.xlsx, or .ods / .csv saved from it). Every cell is checked before anything goes live;",
                "a mistake is answered with its cell (such as C12) and what to do.",
                "Layers: a tenant's row replaces the platform's row with the same key (" + keyWords(t) + "); rows with new keys are added.",
                "A row equal to the platform's is not an override: it keeps following the platform's changes.",
                ""};
        for (String line : lines) set(notes.createRow(r++), 0, line, st.engine());
        Row head = notes.createRow(r++);
        String[] titles = {"Column", "What it means", "What it may hold", "Example"};
        for (int c = 0; c < titles.length; c++) set(head, c, titles[c], st.header());
        for (Physical p : cols) {
            Row row = notes.createRow(r++);
            set(row, 0, p.header(), st.engine());
            set(row, 1, p.meaning(), st.engine());
            set(row, 2, allowed(p.p()) + (p.col().required() ? " Required." : " Optional."), st.engine());
            set(row, 3, p.p().example(), st.engine());
        }
        r++;
        set(notes.createRow(r++), 0, "An example row, as it would be typed on the first sheet:", st.header());
        Row exampleHead = notes.createRow(r++), example = notes.createRow(r);
        for (int i = 0; i < cols.size(); i++) {
            set(exampleHead, i, cols.get(i).header(), st.header());
            set(example, i, cols.get(i).p().example(), st.engine());
        }
        notes.setColumnWidth(0, 100 * 256);
        notes.setColumnWidth(1, 60 * 256);
        notes.setColumnWidth(2, 60 * 256);
        notes.setColumnWidth(3, 24 * 256);
    }

    private static String keyWords(TableRows t) {
        List<String> k = new ArrayList<>();
        for (int c : t.schema().key()) {
            Column col = t.columns().get(c);
            k.add(col.parts().size() > 1 ? col.parts().getFirst().name().toLowerCase(Locale.ROOT) : col.header().toLowerCase(Locale.ROOT));
        }
        return String.join(" and ", k);
    }

    private static int width(TableRows t, List<Physical> cols, int i) {
        Physical p = cols.get(i);
        int w = Math.max(p.header().length() + 2, 10);
        for (TableRows.Row r : t.rows()) {
            List<Object> v = r.values().get(p.column());
            if (v.isEmpty()) continue;
            Object o = p.col().parts().size() == 1 ? v.getFirst() : v.get(p.part());
            w = Math.max(w, (o instanceof Double d ? TableCheck.fmt(d) : o.toString()).length() + 2);
        }
        return Math.min(w, 60);
    }

    private static Cell set(Row row, int c, String value, CellStyle style) {
        Cell cell = row.createCell(c);
        if (value != null && !value.isEmpty()) cell.setCellValue(value);
        cell.setCellStyle(style);
        return cell;
    }
}
