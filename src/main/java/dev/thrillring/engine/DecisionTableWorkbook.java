package dev.thrillring.engine;

import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.Font;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a CSV decision table as an XLSX workbook an analyst can open in a spreadsheet program:
 * numbers become numeric cells, keyword rows are bold, and an ObjectType repeated over adjacent
 * CONDITION columns (CSV cannot merge cells) becomes one merged cell, so the workbook's rule has
 * one pattern with all those constraints.
 */
public final class DecisionTableWorkbook {
    private DecisionTableWorkbook() {}

    public static byte[] fromCsv(byte[] csv, String sheetName) {
        List<List<String>> rows = dev.thrillring.engine.authoring.Csv.rows(new String(csv, StandardCharsets.UTF_8));
        try (XSSFWorkbook wb = new XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            Sheet sheet = wb.createSheet(sheetName);
            CellStyle bold = wb.createCellStyle();
            Font font = wb.createFont();
            font.setBold(true);
            bold.setFont(font);
            int width = 0;
            List<String> keywordRow = null;
            for (int r = 0; r < rows.size(); r++) {
                List<String> cells = rows.get(r);
                Row row = sheet.createRow(r);
                width = Math.max(width, cells.size());
                boolean keyword = !cells.isEmpty() && cells.getFirst().matches("RuleSet|Import|Variables|Notes|RuleTable.*|CONDITION|ACTION");
                for (int c = 0; c < cells.size(); c++) {
                    String v = cells.get(c);
                    if (v.isEmpty()) continue;
                    var cell = row.createCell(c);
                    if (v.matches("-?\\d+(\\.\\d+)?") && r > 0 && keywordRow != null && rows.indexOf(keywordRow) + 3 < r) {
                        cell.setCellValue(Double.parseDouble(v));
                    } else {
                        cell.setCellValue(v);
                    }
                    if (keyword || (keywordRow != null && r == rows.indexOf(keywordRow) + 3)) cell.setCellStyle(bold);
                }
                if (!cells.isEmpty() && (cells.getFirst().equals("CONDITION") || cells.getFirst().equals("ACTION"))) keywordRow = cells;
                if (keywordRow != null && r == rows.indexOf(keywordRow) + 1) mergeObjectTypes(sheet, r, cells, keywordRow);
            }
            for (int c = 0; c < width; c++) sheet.setColumnWidth(c, 28 * 256);
            wb.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Merges runs of the same ObjectType over adjacent CONDITION columns into one cell. */
    private static void mergeObjectTypes(Sheet sheet, int rowIndex, List<String> objectRow, List<String> kinds) {
        for (int c = 0; c < objectRow.size(); c++) {
            String type = objectRow.get(c);
            if (type.isEmpty() || !kinds.get(c).equals("CONDITION")) continue;
            int end = c;
            while (end + 1 < Math.min(kinds.size(), objectRow.size()) && kinds.get(end + 1).equals("CONDITION")
                    && objectRow.get(end + 1).equals(type)) end++;
            if (end > c) {
                // The covered cells stay, blank: Drools' Excel reader maps a blank cell inside a
                // merged range to the range's value, but never visits a cell that does not exist.
                for (int k = c + 1; k <= end; k++) sheet.getRow(rowIndex).createCell(k).setBlank();
                sheet.addMergedRegion(new CellRangeAddress(rowIndex, rowIndex, c, end));
            }
            c = end;
        }
    }
}
