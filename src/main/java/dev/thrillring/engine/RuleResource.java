package dev.thrillring.engine;

import java.util.Locale;

/**
 * One file of a rule set: a DRL file or a decision table ({@code *.drl.xlsx}, {@code *.drl.xls},
 * {@code *.drl.csv}). {@code path} is the name an author sees in errors.
 */
public record RuleResource(String path, byte[] content) {

    public enum Kind { DRL, XLSX, XLS, CSV }

    public Kind kind() {
        String p = path.toLowerCase(Locale.ROOT);
        if (p.endsWith(".drl")) return Kind.DRL;
        if (p.endsWith(".xlsx")) return Kind.XLSX;
        if (p.endsWith(".xls")) return Kind.XLS;
        if (p.endsWith(".csv")) return Kind.CSV;
        throw new IllegalArgumentException("not a rule resource: " + path);
    }

    public static boolean isRuleFile(String name) {
        String p = name.toLowerCase(Locale.ROOT);
        return p.endsWith(".drl") || p.endsWith(".drl.xlsx") || p.endsWith(".drl.xls") || p.endsWith(".drl.csv");
    }
}
