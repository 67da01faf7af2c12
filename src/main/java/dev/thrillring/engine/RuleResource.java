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

    /** The name inside the KIE file system: decision tables must keep their {@code .drl.xxx} suffix. */
    String kiePath(String packageDir) {
        String file = path.replace('\\', '/');
        file = file.substring(file.lastIndexOf('/') + 1);
        String lower = file.toLowerCase(Locale.ROOT);
        if (kind() != Kind.DRL && !lower.contains(".drl.")) {
            int dot = file.lastIndexOf('.');
            file = file.substring(0, dot) + ".drl" + file.substring(dot);
        }
        return "src/main/resources/" + packageDir + "/" + file;
    }
}
