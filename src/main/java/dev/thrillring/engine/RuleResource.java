package dev.thrillring.engine;

import java.util.Locale;

/**
 * One file of a rule set: a DRL file or a decision table ({@code *.drl.xlsx}, {@code *.drl.xls},
 * {@code *.drl.csv}, {@code *.drl.ods}). {@code path} is the name an author sees in errors. Only files shipped on disk are
 * trusted; everything else is checked and runs in its owner's package.
 */
public record RuleResource(String path, byte[] content, boolean shipped) {

    /** An uploaded (untrusted) file: its package is forced into its owner's namespace. */
    public RuleResource(String path, byte[] content) { this(path, content, false); }

    /** A file shipped on disk with the service (the operator's rules/ and decision-tables/): it keeps its package. */
    public static RuleResource shippedFile(String path, byte[] content) { return new RuleResource(path, content, true); }

    public enum Kind { DRL, XLSX, XLS, CSV, ODS }

    public Kind kind() {
        String p = path.toLowerCase(Locale.ROOT);
        if (p.endsWith(".drl")) return Kind.DRL;
        if (p.endsWith(".xlsx")) return Kind.XLSX;
        if (p.endsWith(".xls")) return Kind.XLS;
        if (p.endsWith(".csv")) return Kind.CSV;
        if (p.endsWith(".ods")) return Kind.ODS;
        throw new IllegalArgumentException("not a rule resource: " + path);
    }

    public static boolean isRuleFile(String name) {
        String p = name.toLowerCase(Locale.ROOT);
        return p.endsWith(".drl") || p.endsWith(".drl.xlsx") || p.endsWith(".drl.xls") || p.endsWith(".drl.csv") || p.endsWith(".drl.ods");
    }
}
