package dev.thrillring.engine.authoring;

import dev.thrillring.engine.DecisionTableWorkbook;
import dev.thrillring.engine.RuleResource;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.apache.poi.ss.util.CellReference;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The analyst's mistakes as real workbook files: each starts from a shipped table, is edited the
 * way a spreadsheet program would save it (POI writes the same cell types LibreOffice does:
 * numbers as numeric cells, text as shared strings, dates as styled numbers, formulas), and says
 * where the refusal must point and which words it must use.
 */
final class AnalystWorkbooks {
    static final String PLATFORM = "bizoholic";
    static final String ACHIEVEMENTS = "decision-tables/bizoholic/achievement-thresholds.drl.xlsx";
    static final String FACT_POINTS = "decision-tables/bizoholic/fact-points.drl.csv";
    static final String SCORING = "decision-tables/bizoholic/leaderboard-scoring.drl.csv";
    static final String REWARDS = "decision-tables/_common/referral-reward-tiers.drl.xlsx";
    static final String FRAUD = "decision-tables/_common/fraud-indicators.drl.csv";

    /** A refused upload: the file as uploaded, the cell the answer must name and words it must use. */
    record Mistake(String name, String replaces, String file, byte[] content, String cell, List<String> words) {
        @Override public String toString() { return name; }
    }

    /** An edit the analyst meant: it must compile. */
    record Edit(String name, String replaces, String file, byte[] content) {
        @Override public String toString() { return name; }
    }

    static List<Mistake> mistakes() {
        List<Mistake> m = new ArrayList<>();
        // Achievement thresholds (XLSX)
        m.add(ach("period typed 'weekly'", "A27", wb -> set(wb, "A27", "launch-blitz, campaigns_launched, 5, weekly"),
                "Period must be one of day, week, month, all_time", "found 'weekly'", "did you mean 'week'"));
        m.add(ach("period in capitals", "A27", wb -> set(wb, "A27", "launch-blitz, campaigns_launched, 5, Week"), "found 'Week'", "lower case"));
        m.add(ach("negative threshold", "A12", wb -> set(wb, "A12", "campaigns-bronze, campaigns_launched, -10, all_time"),
                "Threshold must be more than 0", "found -10"));
        m.add(ach("misspelled metric", "A12", wb -> set(wb, "A12", "campaigns-bronze, campaign_launched, 10, all_time"),
                "no rule counts the metric 'campaign_launched'", "did you mean 'campaigns_launched'"));
        m.add(ach("misspelled prerequisite", "B13", wb -> set(wb, "B13", "campaigns-bronz"),
                "no achievement has the key 'campaigns-bronz'", "did you mean 'campaigns-bronze'"));
        m.add(ach("points as words", "C12", wb -> set(wb, "C12", "50 points"), "Points must be a whole number", "found '50 points'"));
        m.add(ach("German decimal comma in points text", "C12", wb -> set(wb, "C12", "12,5"), "decimal comma", "found '12,5'", "12.5"));
        m.add(ach("fractional points", "C12", wb -> set(wb, "C12", 12.5), "Points must be a whole number", "found 12.5"));
        m.add(ach("date in the cooldown cell", "J27", wb -> date(wb, "J27", LocalDate.of(2026, 3, 7)),
                "Cooldown (days) must be a whole number of days", "found a date (2026-03-07)"));
        m.add(ach("#DIV/0! formula in points", "C13", wb -> formula(wb, "C13", "1/0"), "the cell shows the error #DIV/0!"));
        m.add(ach("#VALUE! formula in points", "C14", wb -> formula(wb, "C14", "\"a\"+1"), "the cell shows the error #VALUE!"));
        m.add(ach("deleted header row", "A10", wb -> deleteRow(wb.getSheetAt(0), 9), "header row was deleted", "Put the header row back"));
        m.add(ach("unmerged ObjectType cell", "A8", wb -> wb.getSheetAt(0).removeMergedRegion(0), "A8:B8", "merged"));
        m.add(ach("extra column", "L10", wb -> { set(wb, "L10", "Comment"); set(wb, "L11", "check later"); }, "column L is outside the table"));
        m.add(ach("difficulty out of range", "H12", wb -> set(wb, "H12", 7), "Difficulty must be from 1 to 5", "found 7"));
        m.add(ach("hidden as yes", "I33", wb -> set(wb, "I33", "yes"), "Hidden must be true or false"));
        m.add(ach("duplicated achievement key", "A33", wb -> set(wb, "A33", "roas-5x, best_roas, 5, all_time"),
                "repeats the row key", "row 22"));
        m.add(ach("double quote in a name", "D12", wb -> set(wb, "D12", "Campaigns \"bronze\""), "Name may not contain double quotes"));
        m.add(ach("threshold cell missing its period", "A12", wb -> set(wb, "A12", "campaigns-bronze, campaigns_launched, 10"),
                "must hold 4 values (key, metric, threshold, period)"));
        m.add(ach("decimal comma in a threshold", "A20", wb -> set(wb, "A20", "roas-2x, best_roas, 2,5, all_time"),
                "Threshold uses a decimal comma", "2.5"));
        m.add(ach("achievement requires itself", "B12", wb -> set(wb, "B12", "campaigns-bronze"), "cannot require itself"));
        m.add(ach("emptied points", "C12", wb -> clear(wb, "C12"), "Points is required"));
        m.add(ach("empty row in the middle", "A20", wb -> clearRow(wb.getSheetAt(0), 19), "row 20 is empty", "would ignore row 21"));
        // Fact points (CSV, and XLSX made from it)
        m.add(csv("fact points as words", FACT_POINTS, "B12", t -> t.replace("lead.captured,5", "lead.captured,5 points"),
                "Points must be a whole number", "found '5 points'"));
        m.add(csv("German decimal comma in a CSV", FACT_POINTS, "B12", t -> t.replace("lead.captured,5", "lead.captured,\"2,5\""), "decimal comma", "2.5"));
        m.add(xlsxFromCsv("formula error in an XLSX fact-points table", FACT_POINTS, "B13", wb -> formula(wb, "B13", "1/0"), "#DIV/0!"));
        // Leaderboard scoring (CSV)
        m.add(csv("misspelled fact type on a board", SCORING, "A11", t -> t.replace("campaign.launched,10", "campaign.lanched,10"),
                "fact type 'campaign.lanched'", "did you mean 'campaign.launched'"));
        m.add(csv("board score as words", SCORING, "B11", t -> t.replace("campaign.launched,10", "campaign.launched,ten"), "must be a number", "found 'ten'"));
        m.add(csv("extra column in a CSV", SCORING, "F11", t -> t.replace("campaign.launched,10,,5,2", "campaign.launched,10,,5,2,7"), "column F is outside the table"));
        // Referral reward tiers (XLSX)
        m.add(xlsx("emptied 'fewer than' bound", REWARDS, "D12", wb -> clear(wb, "D12"), "Approved before fewer than is required"));
        m.add(xlsx("German decimal comma in a reward", REWARDS, "E12", wb -> set(wb, "E12", "silver, 8,5, 0"), "Fixed amount uses a decimal comma", "8.5"));
        m.add(xlsx("overlapping tiers", REWARDS, "C12", wb -> set(wb, "D11", 10), "overlaps the tier of row 11"));
        m.add(xlsx("percent sign in a reward", REWARDS, "E17", wb -> set(wb, "E17", "bronze, 0, 5%"), "without the % sign"));
        m.add(xlsx("reward as a bare number", REWARDS, "E12", wb -> set(wb, "E12", 8), "must hold tier, fixed amount, % of value", "the number 8"));
        m.add(xlsx("bounds the wrong way round", REWARDS, "D12", wb -> set(wb, "D12", 3), "must be more than its lower bound"));
        // Fraud indicators (CSV, and the CSV saved as XLSX)
        m.add(csv("German decimal comma in a fraud weight", FRAUD, "C11", t -> t.replace("self_referral, 0.9,", "self_referral, 0,35,"),
                "Weight uses a decimal comma", "found '0,35'", "0.35"));
        m.add(new Mistake("CSV fraud table saved as XLSX", FRAUD, "fraud-indicators.drl.xlsx", unmergedXlsx(FRAUD), "A8", List.of("A8:B8", "merged")));
        m.add(csv("fraud weight above 1", FRAUD, "C13", t -> t.replace("same_device, 0.5,", "same_device, 1.5,"), "Weight must be from 0 to 1"));
        m.add(csv("signal without its prefix", FRAUD, "B14", t -> t.replace("referral.converted,signal_same_ip", "referral.converted,same_ip"),
                "starting with 'signal_'"));
        return m;
    }

    static List<Edit> edits() {
        List<Edit> e = new ArrayList<>();
        e.add(new Edit("raised threshold", ACHIEVEMENTS, "achievement-thresholds.drl.xlsx",
                xlsxEdit(ACHIEVEMENTS, wb -> set(wb, "A12", "campaigns-bronze, campaigns_launched, 12, all_time"))));
        e.add(new Edit("points from a formula", ACHIEVEMENTS, "achievement-thresholds.drl.xlsx", xlsxEdit(ACHIEVEMENTS, wb -> formula(wb, "C13", "20*10"))));
        e.add(new Edit("points typed as text digits", ACHIEVEMENTS, "achievement-thresholds.drl.xlsx", xlsxEdit(ACHIEVEMENTS, wb -> set(wb, "C13", "200"))));
        e.add(new Edit("a new fact type gets points", FACT_POINTS, "fact-points.drl.csv",
                (read(FACT_POINTS) + "webinar.hosted,30\n").getBytes(StandardCharsets.UTF_8)));
        e.add(new Edit("fraud table converted with its merge", FRAUD, "fraud-indicators.drl.xlsx",
                DecisionTableWorkbook.fromCsv(read(FRAUD).getBytes(StandardCharsets.UTF_8), "fraud-indicators")));
        e.add(new Edit("weight with a decimal point", FRAUD, "fraud-indicators.drl.csv",
                read(FRAUD).replace("self_referral, 0.9,", "self_referral, 0.35,").getBytes(StandardCharsets.UTF_8)));
        return e;
    }

    /** The platform's shipped files with {@code replaces} swapped for an uploaded {@code file}. */
    static List<RuleResource> platformWith(String replaces, String file, byte[] content) {
        List<RuleResource> out = new ArrayList<>();
        for (String dir : List.of("rules/_common", "rules/" + PLATFORM, "decision-tables/_common", "decision-tables/" + PLATFORM)) {
            try (Stream<Path> files = Files.list(Path.of(dir))) {
                for (Path p : files.sorted().toList()) {
                    String path = p.toString();
                    if (!RuleResource.isRuleFile(path) || path.equals(replaces)) continue;
                    out.add(RuleResource.shippedFile(path, Files.readAllBytes(p)));
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        out.add(new RuleResource(file, content));
        return out;
    }

    private static Mistake ach(String name, String cell, Consumer<Workbook> edit, String... words) {
        return xlsx(name, ACHIEVEMENTS, cell, edit, words);
    }

    private static Mistake xlsx(String name, String table, String cell, Consumer<Workbook> edit, String... words) {
        return new Mistake(name, table, Path.of(table).getFileName().toString(), xlsxEdit(table, edit), cell, List.of(words));
    }

    private static Mistake xlsxFromCsv(String name, String table, String cell, Consumer<Workbook> edit, String... words) {
        byte[] book = DecisionTableWorkbook.fromCsv(read(table).getBytes(StandardCharsets.UTF_8), "table");
        String file = Path.of(table).getFileName().toString().replace(".csv", ".xlsx");
        return new Mistake(name, table, file, edit(book, edit), cell, List.of(words));
    }

    private static Mistake csv(String name, String table, String cell, UnaryOperator<String> edit, String... words) {
        String text = read(table);
        String edited = edit.apply(text);
        if (edited.equals(text)) throw new IllegalStateException(name + ": the edit changed nothing");
        return new Mistake(name, table, Path.of(table).getFileName().toString(), edited.getBytes(StandardCharsets.UTF_8), cell, List.of(words));
    }

    static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] xlsxEdit(String table, Consumer<Workbook> edit) {
        try {
            return edit(Files.readAllBytes(Path.of(table)), edit);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] edit(byte[] book, Consumer<Workbook> edit) {
        try (Workbook wb = WorkbookFactory.create(new ByteArrayInputStream(book)); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            edit.accept(wb);
            wb.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a spreadsheet program writes when a CSV table is saved as XLSX: same cells, numbers as numbers, nothing merged. */
    static byte[] unmergedXlsx(String csvTable) {
        try (XSSFWorkbook wb = new XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            Sheet sheet = wb.createSheet("fraud-indicators");
            List<List<String>> rows = TableGrid.parseCsv(read(csvTable));
            for (int r = 0; r < rows.size(); r++) {
                Row row = sheet.createRow(r);
                for (int c = 0; c < rows.get(r).size(); c++) {
                    String v = rows.get(r).get(c);
                    if (v.isEmpty()) continue;
                    if (v.matches("-?\\d+(\\.\\d+)?")) row.createCell(c).setCellValue(Double.parseDouble(v));
                    else row.createCell(c).setCellValue(v);
                }
            }
            wb.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Cell cell(Workbook wb, String address) {
        CellReference ref = new CellReference(address);
        Sheet sheet = wb.getSheetAt(0);
        Row row = sheet.getRow(ref.getRow()) == null ? sheet.createRow(ref.getRow()) : sheet.getRow(ref.getRow());
        return row.getCell(ref.getCol()) == null ? row.createCell(ref.getCol()) : row.getCell(ref.getCol());
    }

    static void set(Workbook wb, String address, Object value) {
        Cell c = cell(wb, address);
        if (value instanceof Number n) c.setCellValue(n.doubleValue());
        else c.setCellValue(value.toString());
    }

    static void clear(Workbook wb, String address) { cell(wb, address).setBlank(); }

    static void formula(Workbook wb, String address, String formula) { cell(wb, address).setCellFormula(formula); }

    static void date(Workbook wb, String address, LocalDate date) {
        CellStyle style = wb.createCellStyle();
        style.setDataFormat(wb.createDataFormat().getFormat("yyyy-mm-dd"));
        Cell c = cell(wb, address);
        c.setCellValue(date);
        c.setCellStyle(style);
    }

    static void clearRow(Sheet sheet, int index) {
        Row row = sheet.getRow(index);
        if (row != null) sheet.removeRow(row);
    }

    /** Deletes a row and moves the rows below up, as "Delete row" does. */
    static void deleteRow(Sheet sheet, int index) {
        clearRow(sheet, index);
        sheet.shiftRows(index + 1, sheet.getLastRowNum(), -1);
    }
}
