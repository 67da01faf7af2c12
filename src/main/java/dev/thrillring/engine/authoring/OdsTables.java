package dev.thrillring.engine.authoring;

import com.github.miachm.sods.OfficeCurrency;
import com.github.miachm.sods.OfficePercentage;
import com.github.miachm.sods.Range;
import com.github.miachm.sods.Sheet;
import com.github.miachm.sods.SpreadSheet;
import dev.thrillring.engine.authoring.TableGrid.Kind;
import dev.thrillring.engine.authoring.TableGrid.Value;
import org.apache.poi.ss.util.CellRangeAddress;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads OpenDocument spreadsheets (.ods, what LibreOffice saves by default) with SODS into the same
 * grid of values as workbooks: numbers from the cell's value, formulas as the value the program
 * last computed (an ODS file stores it), error results kept as errors.
 */
final class OdsTables {
    /** How LibreOffice and Excel show a formula's error (stored as the cell's text). */
    private static final Pattern ERROR = Pattern.compile("#(DIV/0!|VALUE!|REF!|NAME\\?|N/A|NUM!|NULL!)|Err:\\d{3}");

    private OdsTables() {}

    static List<TableGrid> read(byte[] content) throws IOException {
        SpreadSheet ss;
        try {
            ss = new SpreadSheet(new ByteArrayInputStream(content));
        } catch (RuntimeException e) {
            throw new IOException("not an OpenDocument spreadsheet (" + e.getClass().getSimpleName() + ")", e);
        }
        List<TableGrid> out = new ArrayList<>();
        for (Sheet s : ss.getSheets()) {
            if (s.getMaxRows() == 0 || s.getMaxColumns() == 0) continue;
            Range all = s.getDataRange();
            Object[][] values = all.getValues();
            String[][] formulas = all.getFormulas();
            Map<Long, Value> cells = new HashMap<>();
            int rows = 0;
            boolean ruleTable = false;
            for (int r = 0; r < values.length; r++) {
                for (int c = 0; c < values[r].length; c++) {
                    Value v = value(values[r][c], formulas[r][c]);
                    if (v.kind() == Kind.BLANK) continue;
                    cells.put(TableGrid.key(r, c), v);
                    if (v.kind() == Kind.TEXT && v.text().trim().regionMatches(true, 0, "RuleTable", 0, 9)) ruleTable = true;
                    rows = Math.max(rows, r + 1);
                }
            }
            if (!ruleTable) continue;
            List<CellRangeAddress> merged = new ArrayList<>();
            for (Range m : all.getMergedCells()) merged.add(new CellRangeAddress(m.getRow(), m.getLastRow(), m.getColumn(), m.getLastColumn()));
            out.add(new TableGrid(s.getName(), cells, merged, rows, false));
        }
        return out;
    }

    private static Value value(Object v, String formula) {
        return switch (v) {
            case null -> Value.BLANK;
            case Number n -> new Value(Kind.NUMBER, "", n.doubleValue());
            case OfficePercentage p -> p.getValue() == null ? Value.BLANK : new Value(Kind.NUMBER, "", p.getValue() * 100);
            case OfficeCurrency c -> c.getValue() == null ? Value.BLANK : new Value(Kind.NUMBER, "", c.getValue());
            case Boolean b -> new Value(Kind.BOOLEAN, b.toString(), 0);
            case LocalDate d -> new Value(Kind.DATE, d.toString(), 0);
            case LocalDateTime d -> new Value(Kind.DATE, d.toLocalDate().toString(), 0);
            default -> {
                String t = v.toString();
                if (t.isBlank()) yield Value.BLANK;
                yield formula != null && ERROR.matcher(t.trim()).matches() ? new Value(Kind.ERROR, t.trim(), 0) : new Value(Kind.TEXT, t, 0);
            }
        };
    }
}
