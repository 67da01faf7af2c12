package dev.thrillring.engine;

import dev.thrillring.engine.authoring.TableCheck;
import dev.thrillring.engine.authoring.TableLayers;
import dev.thrillring.engine.authoring.TableRows;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.ss.usermodel.WorkbookFactory;
import org.drools.decisiontable.InputType;
import org.drools.decisiontable.SpreadsheetCompiler;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns decision tables (CSV, XLSX, XLS) into DRL ourselves rather than inside the KIE builder,
 * so that the safety check sees the code of every action cell and compile errors can be traced
 * back to a sheet and a cell through the generated {@code // rule values at B10} comments.
 */
final class DecisionTables {

    /**
     * The DRL generated from one sheet (CSV files have one unnamed sheet); {@code rows} when it was
     * generated from a checked table of a known kind, whose rows tell where each came from.
     */
    record GeneratedSheet(String sheet, String drl, TableRows rows) {
        GeneratedSheet(String sheet, String drl) { this(sheet, drl, null); }
    }

    /** Every table of a known kind, checked and laid over the others of its kind and name, as DRL per layered table. */
    record LayeredDrl(TableLayers.Layered table, List<GeneratedSheet> sheets) {}

    /**
     * The DRL of checked tables of known kinds ({@code read} holds their rows), each kind and name
     * once with later layers' rows over earlier ones by key, generated from the values rather than
     * the cells: the engine reads numbers as written with a decimal point, whatever the author's
     * locale or file format.
     */
    static List<LayeredDrl> layered(List<RuleResource> resources, TableCheck.Result read) {
        List<LayeredDrl> out = new ArrayList<>();
        for (TableLayers.Layered t : TableLayers.layer(resources, read.tables())) {
            List<GeneratedSheet> sheets = new ArrayList<>();
            for (TableRows rows : t.sheets()) {
                byte[] csv = rows.canonicalCsv().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                // The generated CSV is a function of the values: converted once per content (RuleSetCompiler's cache).
                String drl = RuleSetCompiler.converted(new RuleResource("generated.drl.csv", csv)).getFirst().drl();
                sheets.add(new GeneratedSheet(rows.sheet(), drl, rows));
            }
            out.add(new LayeredDrl(t, sheets));
        }
        return out;
    }

    /** Every DRL text of {@code resources}: DRL files as they are, tables checked, layered and generated. */
    static List<String> allDrl(List<RuleResource> resources) {
        TableCheck.Result read = TableCheck.read(resources);
        List<String> out = new ArrayList<>();
        for (RuleResource r : resources) {
            if (r.kind() == RuleResource.Kind.DRL) out.add(new String(r.content(), java.nio.charset.StandardCharsets.UTF_8));
            else if (!read.tables().containsKey(r.path()) && !read.errors().containsKey(r.path())) RuleSetCompiler.converted(r).forEach(g -> out.add(g.drl()));
        }
        for (LayeredDrl l : layered(resources, read)) l.sheets().forEach(g -> out.add(g.drl()));
        return out;
    }

    private static final Pattern VALUES_AT = Pattern.compile("// rule values at ([A-Z]+[0-9]+)");

    private DecisionTables() {}

    /** @throws RuleSetInvalid when the table cannot be read as a decision table */
    static List<GeneratedSheet> toDrl(RuleResource table) {
        if (table.kind() == RuleResource.Kind.ODS) {
            throw new RuleSetInvalid(table.path(), List.of(RuleSetInvalid.Error.inFile(table.path(),
                    "is an OpenDocument table of no known kind; .ods is read for the fact points, achievements, leaderboard scoring,"
                    + " referral reward and fraud tables. Save other tables as .xlsx or .csv")));
        }
        try {
            if (table.kind() == RuleResource.Kind.CSV) {
                byte[] csv = table.content();
                // Spreadsheet programs save CSV with a UTF-8 byte-order mark, which would hide the RuleSet keyword.
                int bom = csv.length >= 3 && (csv[0] & 0xff) == 0xEF && (csv[1] & 0xff) == 0xBB && (csv[2] & 0xff) == 0xBF ? 3 : 0;
                String drl = new SpreadsheetCompiler().compile(new ByteArrayInputStream(csv, bom, csv.length - bom), InputType.CSV);
                return List.of(new GeneratedSheet(null, drl));
            }
            List<GeneratedSheet> out = new ArrayList<>();
            for (String sheet : ruleSheets(table)) {
                String drl = new SpreadsheetCompiler().compile(new ByteArrayInputStream(table.content()), sheet);
                out.add(new GeneratedSheet(sheet, drl));
            }
            if (out.isEmpty()) {
                throw new RuleSetInvalid(table.path(), List.of(RuleSetInvalid.Error.inFile(table.path(),
                        "no sheet has a 'RuleSet' cell; this is not a Drools decision table")));
            }
            return out;
        } catch (RuleSetInvalid e) {
            throw e;
        } catch (RuntimeException | IOException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new RuleSetInvalid(table.path(), List.of(RuleSetInvalid.Error.inFile(table.path(), "cannot read the decision table: " + msg)));
        }
    }

    /** The cell whose row produced {@code line} of the generated DRL, or null before any rule. */
    static String cellForLine(String drl, int line) {
        String[] lines = drl.split("\n", -1);
        int start = Math.min(line, lines.length) - 1;
        // An error reported past a rule's end (a parser at end of input) belongs to that rule.
        while (start > 0 && lines[start].isBlank()) start--;
        if (start > 0 && lines[start].startsWith("end")) start--;
        line = start + 1;
        for (int i = start; i >= 0; i--) {
            Matcher m = VALUES_AT.matcher(lines[i]);
            if (m.find()) return m.group(1);
            if (i < line - 1 && lines[i].startsWith("end")) break;
        }
        return null;
    }

    /** Sheets holding a {@code RuleSet} keyword cell. */
    private static List<String> ruleSheets(RuleResource table) throws IOException {
        List<String> names = new ArrayList<>();
        try (Workbook wb = WorkbookFactory.create(new ByteArrayInputStream(table.content()))) {
            for (Sheet sheet : wb) {
                if (hasRuleSet(sheet)) names.add(sheet.getSheetName());
            }
        }
        return names;
    }

    private static boolean hasRuleSet(Sheet sheet) {
        int rows = 0;
        for (Row row : sheet) {
            if (rows++ > 50) return false;
            for (Cell cell : row) {
                if (cell.getCellType() == CellType.STRING && cell.getStringCellValue().trim().equalsIgnoreCase("RuleSet")) return true;
            }
        }
        return false;
    }
}
