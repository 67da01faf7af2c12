package dev.thrillring.engine;

import java.util.List;

/** A rule set that does not compile or is not allowed, with every error located in its file. */
public final class RuleSetInvalid extends RuntimeException {

    /**
     * One error: the file, then a line for DRL or a sheet and cell for decision tables (absent
     * parts are null), the column's header for a table cell checked by its schema, and the message.
     */
    public record Error(String file, Integer line, String sheet, String cell, String column, String message) {
        public Error(String file, Integer line, String sheet, String cell, String message) { this(file, line, sheet, cell, null, message); }

        public static Error inFile(String file, String message) { return new Error(file, null, null, null, message); }

        @Override public String toString() {
            StringBuilder sb = new StringBuilder(file);
            if (sheet != null) sb.append(" sheet '").append(sheet).append('\'');
            if (cell != null) sb.append(" cell ").append(cell);
            if (column != null) sb.append(" (").append(column).append(')');
            if (line != null) sb.append(':').append(line);
            return sb.append(": ").append(message).toString();
        }
    }

    private final List<Error> errors;

    public RuleSetInvalid(String ruleSet, List<Error> errors) {
        super("rule set " + ruleSet + " is invalid: " + errors);
        this.errors = List.copyOf(errors);
    }

    public List<Error> errors() { return errors; }
}
