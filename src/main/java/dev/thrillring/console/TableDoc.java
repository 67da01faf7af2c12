package dev.thrillring.console;

import dev.thrillring.engine.authoring.Csv;
import dev.thrillring.engine.authoring.TableSchema;
import dev.thrillring.problems.Problem;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.apache.poi.ss.util.CellReference;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A decision table's rows as the grid edits them: the cells below the header row of its
 * {@code RuleTable}, read from CSV or a workbook, and written back into the same file so that
 * everything else in it (engine rows, notes, styles) stays as it was.
 */
record TableDoc(String path, TableSchema schema, int firstRow, List<String> headers, List<List<String>> rows, boolean csv) {
    static final int MAX_ROWS = 2_000;
    static final int MAX_COLUMNS = 60;

    /** True for files the grid can open. */
    static boolean editable(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        return p.endsWith(".csv") || p.endsWith(".xlsx") || p.endsWith(".xls");
    }

    static TableDoc read(String path, byte[] content) {
        boolean csv = path.toLowerCase(Locale.ROOT).endsWith(".csv");
        List<List<String>> all = csv ? Csv.rows(new String(content, StandardCharsets.UTF_8)) : sheetOf(content);
        int r0 = -1;
        for (int r = 0; r < all.size() && r0 < 0; r++) {
            if (!all.get(r).isEmpty() && all.get(r).getFirst().trim().regionMatches(true, 0, "RuleTable", 0, 9)) r0 = r;
        }
        if (r0 < 0 || all.size() < r0 + 5) throw new Problem.Invalid("path", "'" + path + "' holds no RuleTable with a header row");
        List<String> headers = trimmed(all.get(r0 + 4));
        int width = headers.size();
        if (width == 0 || width > MAX_COLUMNS) throw new Problem.Invalid("path", "'" + path + "' has no header row the grid can show");
        List<List<String>> rows = new ArrayList<>();
        for (int r = r0 + 5; r < all.size(); r++) {
            List<String> row = pad(all.get(r), width);
            if (row.stream().allMatch(String::isBlank)) continue;
            rows.add(row);
        }
        return new TableDoc(path, TableSchema.forFile(path), r0 + 5, headers, rows, csv);
    }

    /** The same table with other rows. */
    TableDoc withRows(List<List<String>> edited) {
        return new TableDoc(path, schema, firstRow, headers, edited, csv);
    }

    /** The cell address a check names for row {@code i} of the grid, column {@code c} (A1 style). */
    String address(int i, int c) {
        return new CellReference(firstRow + i, c).formatAsString(false);
    }

    /** The file with this grid's rows in place of the original ones; blank rows are dropped. */
    byte[] write(byte[] original) {
        List<List<String>> kept = rows.stream().filter(r -> r.stream().anyMatch(s -> !s.isBlank())).toList();
        return csv ? writeCsv(original, kept) : writeWorkbook(original, kept);
    }

    private byte[] writeCsv(byte[] original, List<List<String>> kept) {
        List<List<String>> all = new ArrayList<>(Csv.rows(new String(original, StandardCharsets.UTF_8)).subList(0, firstRow));
        all.addAll(kept);
        StringBuilder sb = new StringBuilder();
        for (List<String> row : all) {
            for (int c = 0; c < row.size(); c++) {
                if (c > 0) sb.append(',');
                String v = row.get(c);
                sb.append(v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v);
            }
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] writeWorkbook(byte[] original, List<List<String>> kept) {
        try (Workbook wb = WorkbookFactory.create(new ByteArrayInputStream(original))) {
            Sheet sheet = ruleSheet(wb);
            Row template = sheet.getRow(firstRow);
            int last = Math.max(sheet.getLastRowNum(), firstRow + kept.size());
            for (int r = firstRow; r <= last; r++) {
                int i = r - firstRow;
                Row row = sheet.getRow(r);
                if (i >= kept.size()) {
                    if (row != null) sheet.removeRow(row);
                    continue;
                }
                if (row == null) row = sheet.createRow(r);
                for (int c = 0; c < headers.size(); c++) {
                    Cell cell = row.getCell(c);
                    if (cell == null) {
                        cell = row.createCell(c);
                        if (template != null && template.getCell(c) != null) cell.setCellStyle(template.getCell(c).getCellStyle());
                    }
                    String v = kept.get(i).get(c).trim();
                    if (v.isEmpty()) cell.setBlank();
                    else if (cell.getCellType() == CellType.NUMERIC && v.matches("[-+]?\\d+(\\.\\d+)?")) cell.setCellValue(Double.parseDouble(v));
                    else cell.setCellValue(v);
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            wb.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new Problem.Invalid("path", "the workbook cannot be written back: " + e.getMessage());
        }
    }

    private static List<List<String>> sheetOf(byte[] content) {
        try (Workbook wb = WorkbookFactory.create(new ByteArrayInputStream(content))) {
            Sheet sheet = ruleSheet(wb);
            DataFormatter fmt = new DataFormatter(Locale.ROOT);
            List<List<String>> out = new ArrayList<>();
            for (int r = 0; r <= sheet.getLastRowNum() && r < MAX_ROWS + 20; r++) {
                Row row = sheet.getRow(r);
                List<String> cells = new ArrayList<>();
                if (row != null) for (int c = 0; c < Math.min(Math.max(row.getLastCellNum(), 0), MAX_COLUMNS); c++) {
                    Cell cell = row.getCell(c);
                    cells.add(cell == null ? "" : fmt.formatCellValue(cell));
                }
                out.add(cells);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new Problem.Invalid("path", "cannot be opened as a workbook");
        }
    }

    private static Sheet ruleSheet(Workbook wb) {
        for (Sheet s : wb) {
            for (Row row : s) {
                Cell c = row.getCell(0);
                if (c != null && c.getCellType() == CellType.STRING && c.getStringCellValue().trim().regionMatches(true, 0, "RuleTable", 0, 9)) return s;
            }
        }
        return wb.getSheetAt(0);
    }

    private static List<String> trimmed(List<String> row) {
        List<String> out = new ArrayList<>(row);
        while (!out.isEmpty() && out.getLast().isBlank()) out.removeLast();
        return out;
    }

    private static List<String> pad(List<String> row, int width) {
        List<String> out = new ArrayList<>(width);
        for (int c = 0; c < width; c++) out.add(c < row.size() ? row.get(c) : "");
        return out;
    }
}
