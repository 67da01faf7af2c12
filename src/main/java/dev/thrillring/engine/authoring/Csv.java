package dev.thrillring.engine.authoring;

import java.util.ArrayList;
import java.util.List;

/** The one CSV reader of decision tables (the table checks and the workbook converter). */
public final class Csv {
    private Csv() {}

    /** RFC 4180 CSV: quoted cells may hold commas, doubled quotes and line breaks. */
    public static List<List<String>> rows(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') { cur.append('"'); i++; }
                else if (ch == '"') quoted = false;
                else cur.append(ch);
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                cells.add(cur.toString().trim());
                cur.setLength(0);
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                cells.add(cur.toString().trim());
                cur.setLength(0);
                rows.add(cells);
                cells = new ArrayList<>();
            } else {
                cur.append(ch);
            }
        }
        if (cur.length() > 0 || !cells.isEmpty()) {
            cells.add(cur.toString().trim());
            rows.add(cells);
        }
        return rows;
    }
}
