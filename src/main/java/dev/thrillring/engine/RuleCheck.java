package dev.thrillring.engine;

import dev.thrillring.engine.RuleAllowList.Type;
import org.drools.drl.ast.descr.AccumulateDescr;
import org.drools.drl.ast.descr.AndDescr;
import org.drools.drl.ast.descr.AnnotationDescr;
import org.drools.drl.ast.descr.AttributeDescr;
import org.drools.drl.ast.descr.BaseDescr;
import org.drools.drl.ast.descr.ExistsDescr;
import org.drools.drl.ast.descr.ExprConstraintDescr;
import org.drools.drl.ast.descr.GlobalDescr;
import org.drools.drl.ast.descr.ImportDescr;
import org.drools.drl.ast.descr.NotDescr;
import org.drools.drl.ast.descr.OrDescr;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.ast.descr.PatternDescr;
import org.drools.drl.ast.descr.RuleDescr;
import org.drools.drl.parser.DrlParser;
import org.drools.drl.parser.DroolsError;
import org.drools.drl.parser.DroolsParserException;
import org.kie.internal.builder.conf.LanguageLevelOption;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parse-tree check of one DRL text (a file, or the DRL a decision table turns into). Parses it
 * with Drools' own parser, refuses every construct not on {@link RuleAllowList}, and leaves behind
 * the checked descriptor tree with canonical expression text, its package forced into the owner's
 * namespace and its metadata taken out (Drools evaluates metadata with MVEL while it compiles). The
 * compiler builds exactly this tree, never the uploaded text.
 */
final class RuleCheck {

    /** A refusal at a line of the checked DRL (1-based, 0 when unknown), naming the construct. */
    record Violation(int line, String message) {}

    /** The outcome: the tree to compile (null when refused), the refusals, and each rule's metadata. */
    record Result(PackageDescr tree, List<Violation> violations, Map<String, Map<String, String>> metadata) {
        boolean passed() { return violations.isEmpty(); }
    }

    /** Deepest bracket nesting an uploaded file may have. */
    static final int MAX_NESTING = 100;

    private final List<Violation> violations = new ArrayList<>();
    private final Map<String, Map<String, String>> metadata = new LinkedHashMap<>();

    private RuleCheck() {}

    /**
     * Checks {@code drl}.
     *
     * @param forcedPackage the package every rule is placed in (an uploaded file's own package line
     *                      is ignored), or null to keep the file's package (trusted, shipped files)
     */
    static Result check(String drl, String forcedPackage) {
        RuleCheck c = new RuleCheck();
        PackageDescr tree = c.run(drl, forcedPackage);
        return new Result(c.violations.isEmpty() ? tree : null, List.copyOf(c.violations), c.metadata);
    }

    private PackageDescr run(String drl, String forcedPackage) {
        characters(drl);
        if (!violations.isEmpty()) return null;
        DrlParser parser = new DrlParser(LanguageLevelOption.DRL6);
        PackageDescr pkg;
        try {
            pkg = parser.parse(false, drl);
        } catch (DroolsParserException | RuntimeException e) {
            refuse(0, "syntax: the file cannot be read as DRL");
            return null;
        }
        if (parser.hasErrors() || pkg == null) {
            for (DroolsError e : parser.getErrors()) refuse(Math.max(0, e.getLines().length > 0 ? e.getLines()[0] : 0), "syntax: " + e.getMessage());
            if (violations.isEmpty()) refuse(0, "syntax: the file cannot be read as DRL");
            return null;
        }
        packageLevel(pkg);
        for (RuleDescr rule : pkg.getRules()) rule(rule);
        if (forcedPackage != null) pkg.setName(forcedPackage);
        // Every package sees the model and the one global, so authors need not declare them.
        if (pkg.getGlobals().isEmpty()) pkg.addGlobal(new GlobalDescr(RuleAllowList.GLOBAL_NAME, RuleAllowList.MODEL + "Outcomes"));
        for (String type : List.of("Fact", "SubjectState", "Outcomes", "Tracking")) pkg.addImport(new ImportDescr(RuleAllowList.MODEL + type));
        return pkg;
    }

    /**
     * Refuses unicode escapes (javac turns them into code before it tokenizes, so they could end a
     * string the parser saw) and control characters that lexers disagree on (a lone CR ends a Java
     * line comment but not a DRL one).
     */
    private void characters(String drl) {
        int line = 1;
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < drl.length(); i++) {
            char ch = drl.charAt(i);
            if (ch == '\n') { line++; continue; }
            // Brackets nested beyond any real rule would only exhaust the parsers' stacks: refused here, in one pass.
            if (ch == '"' && (i == 0 || drl.charAt(i - 1) != '\\')) inString = !inString;
            if (!inString && (ch == '(' || ch == '[' || ch == '{') && ++depth > MAX_NESTING) {
                refuse(line, "brackets are nested more than " + MAX_NESTING + " deep; flatten the expression");
                return;
            }
            if (!inString && (ch == ')' || ch == ']' || ch == '}')) depth = Math.max(0, depth - 1);
            if (ch == '\\' && i + 1 < drl.length() && drl.charAt(i + 1) == 'u') {
                refuse(line, "unicode escape (\\u) is not allowed in rules; write the character itself");
                return;
            }
            if (ch == '\r' && (i + 1 >= drl.length() || drl.charAt(i + 1) != '\n')) {
                refuse(line, "character: a lone carriage return (CR) is not allowed in rules; end lines with LF or CRLF");
                return;
            }
            if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f || Character.getType(ch) == Character.FORMAT) {
                refuse(line, String.format(java.util.Locale.ROOT, "character U+%04X (invisible or control) is not allowed in rules", (int) ch));
                return;
            }
        }
    }

    private void packageLevel(PackageDescr pkg) {
        for (ImportDescr i : pkg.getImports()) {
            if (!RuleAllowList.IMPORTS.contains(i.getTarget())) {
                refuse(i.getLine(), "import of '" + i.getTarget() + "' is not allowed; rules may import only the model ("
                        + RuleAllowList.MODEL + "Fact, SubjectState, Outcomes, Tracking)");
            }
        }
        pkg.getFunctionImports().forEach(f -> refuse(f.getLine(), "import function/static of '" + f.getTarget() + "' is not allowed in rules"));
        pkg.getAccumulateImports().forEach(a -> refuse(a.getLine(), "import accumulate '" + a.getTarget() + "' is not allowed in rules"));
        pkg.getFunctions().forEach(f -> refuse(f.getLine(), "function '" + f.getName() + "' is not allowed in rules"));
        pkg.getTypeDeclarations().forEach(t -> refuse(t.getLine(), "declare of type '" + t.getTypeName() + "' is not allowed in rules"));
        pkg.getEnumDeclarations().forEach(t -> refuse(t.getLine(), "declare of enum '" + t.getTypeName() + "' is not allowed in rules"));
        pkg.getEntryPointDeclarations().forEach(t -> refuse(t.getLine(), "declare of an entry point is not allowed in rules"));
        pkg.getWindowDeclarations().forEach(t -> refuse(t.getLine(), "declare of a window is not allowed in rules"));
        for (GlobalDescr g : pkg.getGlobals()) {
            if (!g.getIdentifier().equals(RuleAllowList.GLOBAL_NAME) || !RuleAllowList.GLOBAL_TYPES.contains(g.getType())) {
                refuse(g.getLine(), "global '" + g.getType() + " " + g.getIdentifier() + "' is not allowed; the one global is '"
                        + RuleAllowList.MODEL + "Outcomes outcomes'");
            }
        }
        for (AttributeDescr a : pkg.getAttributes()) attribute(a);
        if (pkg.getUnit() != null) refuse(pkg.getLine(), "unit declarations are not allowed in rules");
    }

    private void rule(RuleDescr rule) {
        int line = rule.getLine();
        if (rule.isQuery()) { refuse(line, "query '" + rule.getName() + "' is not allowed in rules"); return; }
        if (rule.getName().length() > 200) refuse(line, "name: a rule name has at most 200 characters");
        if (rule.hasParent()) refuse(line, "rule '" + rule.getName() + "' extends another rule; 'extends' is not allowed in rules");
        if (rule.getUnit() != null) refuse(line, "rule units are not allowed in rules");
        if (!rule.getNamedConsequences().isEmpty()) refuse(line, "named consequences (then[...]) are not allowed in rules");
        for (AttributeDescr a : rule.getAttributes().values()) attribute(a);
        Map<String, String> meta = new LinkedHashMap<>();
        for (AnnotationDescr a : rule.getAnnotations()) {
            String value = metadataValue(a);
            if (!RuleAllowList.METADATA.contains(a.getName())) {
                refuse(a.getLine() > 0 ? a.getLine() : line, "metadata '@" + a.getName() + "' is not allowed; rules may carry "
                        + String.join(", ", new java.util.TreeSet<>(RuleAllowList.METADATA)));
            } else if (value == null) {
                refuse(a.getLine() > 0 ? a.getLine() : line, "metadata '@" + a.getName()
                        + "' must be one plain literal (\"text\" without backslashes, a number, true or false)");
            } else {
                meta.put(a.getName(), value);
            }
        }
        metadata.put(rule.getName(), meta);
        // Metadata is kept by the service, not compiled: Drools would evaluate it with MVEL.
        for (AnnotationDescr a : List.copyOf(rule.getAnnotations())) rule.getAnnotations().remove(a);

        Map<String, Type> bindings = new HashMap<>();
        lhs(rule.getLhs(), bindings);
        Object rhs = rule.getConsequence();
        if (rhs != null) {
            ExpressionCheck c = new ExpressionCheck(bindings, null, true);
            String canonical = c.consequence(rhs.toString());
            for (ExpressionCheck.Problem p : c.problems()) refuse(rule.getConsequenceLine() + p.line() - 1, p.message());
            if (canonical != null) rule.setConsequence(canonical);
        }
    }

    private void lhs(BaseDescr d, Map<String, Type> bindings) {
        switch (d) {
            case AndDescr and -> and.getDescrs().forEach(c -> lhs(c, bindings));
            case OrDescr or -> or.getDescrs().forEach(c -> lhs(c, bindings));
            case NotDescr not -> not.getDescrs().forEach(c -> lhs((BaseDescr) c, bindings));
            case ExistsDescr exists -> exists.getDescrs().forEach(c -> lhs((BaseDescr) c, bindings));
            case PatternDescr p -> pattern(p, bindings);
            default -> refuse(d.getLine(), conditionName(d) + " is not allowed in rules; use patterns with not, exists, and, or and accumulate");
        }
    }

    private void pattern(PatternDescr p, Map<String, Type> bindings) {
        int line = p.getLine();
        if (p.isQuery()) { refuse(line, "query call '" + p.getObjectType() + "' is not allowed in rules"); return; }
        if (p.isUnification()) refuse(line, "unification is not allowed in rules");
        if (!p.getBehaviors().isEmpty()) refuse(line, "sliding windows (over window:...) are not allowed in rules");
        Type type;
        if (p.getSource() instanceof AccumulateDescr acc) {
            accumulate(acc, bindings);
            if (!RuleAllowList.ACCUMULATE_RESULT_TYPES.contains(p.getObjectType())) {
                refuse(line, "pattern of type '" + p.getObjectType() + "' cannot hold an accumulate result; use Number");
                return;
            }
            type = Type.NUMBER;
        } else if (p.getSource() != null) {
            refuse(line, conditionName(p.getSource()) + " as a pattern source is not allowed in rules; patterns match the fact and the subject state");
            return;
        } else {
            type = RuleAllowList.PATTERN_TYPES.get(p.getObjectType());
            if (type == null) {
                refuse(line, "pattern type '" + p.getObjectType() + "' is not allowed; rules match Fact and SubjectState");
                return;
            }
            p.setObjectType(RuleAllowList.MODEL + (type == Type.FACT ? "Fact" : "SubjectState"));
        }
        if (p.getIdentifier() != null) bind(p.getIdentifier(), type, bindings, line);
        for (BaseDescr c : p.getDescrs()) {
            if (!(c instanceof ExprConstraintDescr e)) {
                refuse(line, "constraint of kind " + conditionName(c) + " is not allowed in rules");
                continue;
            }
            ExpressionCheck check = new ExpressionCheck(bindings, type, false);
            ExpressionCheck.Checked checked = check.constraint(e.getExpression());
            int cline = e.getLine() > 0 ? e.getLine() : line;
            for (ExpressionCheck.Problem pr : check.problems()) refuse(cline + pr.line() - 1, pr.message());
            if (checked == null) continue;
            e.setExpression(checked.text());
            e.setText(checked.text());
            if (checked.binding() != null) bind(checked.binding(), checked.bindingType(), bindings, cline);
        }
    }

    private void accumulate(AccumulateDescr acc, Map<String, Type> bindings) {
        int line = acc.getLine();
        if (acc.getInitCode() != null || acc.getActionCode() != null || acc.getResultCode() != null || acc.getReverseCode() != null) {
            refuse(line, "accumulate with custom code (init/action/reverse/result) is not allowed; use count, sum, min, max or average");
            return;
        }
        if (acc.getInput() != null) lhs(acc.getInput(), bindings);
        for (AccumulateDescr.AccumulateFunctionCallDescr f : acc.getFunctions()) {
            if (!RuleAllowList.ACCUMULATE_FUNCTIONS.contains(f.getFunction())) {
                refuse(line, "accumulate function '" + f.getFunction() + "' is not allowed; use count, sum, min, max or average");
                continue;
            }
            for (String param : f.getParams()) {
                ExpressionCheck check = new ExpressionCheck(bindings, null, false);
                check.constraint(param);
                check.problems().forEach(pr -> refuse(line, "accumulate argument: " + pr.message()));
            }
            if (f.getBind() != null) bind(f.getBind(), Type.NUMBER, bindings, line);
        }
    }

    private void bind(String name, Type type, Map<String, Type> bindings, int line) {
        boolean plain = !name.isEmpty();
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            plain &= ExpressionCheck.isIdentChar(ch) && !(i == 0 && ch >= '0' && ch <= '9');
        }
        if (!plain || name.equals(RuleAllowList.GLOBAL_NAME)) refuse(line, "name '" + name + "' cannot be a binding; use $name with ASCII letters and digits");
        else bindings.put(name, type);
    }

    private void attribute(AttributeDescr a) {
        String name = a.getName();
        String value = a.getValue() == null ? "" : a.getValue().strip();
        if (RuleAllowList.BOOLEAN_ATTRIBUTES.contains(name)) {
            if (!value.isEmpty() && !value.equals("true") && !value.equals("false")) refuse(a.getLine(), "attribute '" + name + "' must be true or false");
        } else if (name.equals(RuleAllowList.SALIENCE)) {
            if (!integer(value)) refuse(a.getLine(), "salience must be a whole number literal; expressions are not allowed");
        } else if (RuleAllowList.NAME_ATTRIBUTES.contains(name)) {
            if (!plainText(value) || value.length() > 100) refuse(a.getLine(), "attribute '" + name + "' must be a plain name");
        } else if (name.equals(RuleAllowList.DIALECT)) {
            if (!value.equals("java")) refuse(a.getLine(), "dialect \"" + value + "\" is not allowed; rules use the java dialect, which the checks cover");
        } else {
            String what = switch (name) {
                case "timer" -> "timer";
                case "calendars" -> "calendar";
                case "duration" -> "duration";
                case "enabled" -> "enabled";
                default -> "attribute '" + name + "'";
            };
            refuse(a.getLine(), what + " is not allowed in rules (allowed attributes: salience, no-loop, lock-on-active, activation-group)");
        }
    }

    /** The value of a one-literal annotation, unquoted, or null when it is anything else. */
    private static String metadataValue(AnnotationDescr a) {
        Map<String, Object> values = a.getValueMap();
        if (values.size() != 1 || !values.containsKey(AnnotationDescr.VALUE)) return null;
        String v = String.valueOf(values.get(AnnotationDescr.VALUE)).strip();
        if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
            String inner = v.substring(1, v.length() - 1);
            for (int i = 0; i < inner.length(); i++) {
                char ch = inner.charAt(i);
                if (ch == '"' || ch == '\\' || ch == '\n' || ch == '\r') return null;
            }
            return inner;
        }
        if (v.equals("true") || v.equals("false") || integer(v) || decimal(v)) return v;
        return null;
    }

    private static boolean integer(String v) {
        int start = v.startsWith("-") ? 1 : 0;
        if (v.length() == start || v.length() > 10) return false;
        for (int i = start; i < v.length(); i++) if (v.charAt(i) < '0' || v.charAt(i) > '9') return false;
        return true;
    }

    private static boolean decimal(String v) {
        int dot = v.indexOf('.');
        return dot > 0 && integer(v.substring(0, dot)) && integer(v.substring(dot + 1)) && !v.substring(dot + 1).startsWith("-");
    }

    private static boolean plainText(String v) {
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (!(Character.isLetterOrDigit(ch) || ch == ' ' || ch == '_' || ch == '-' || ch == '.')) return false;
        }
        return true;
    }

    private static String conditionName(BaseDescr d) {
        return switch (d.getClass().getSimpleName()) {
            case "EvalDescr" -> "eval";
            case "ForallDescr" -> "forall";
            case "FromDescr" -> "from";
            case "CollectDescr" -> "collect";
            case "AccumulateDescr" -> "accumulate";
            case "EntryPointDescr" -> "from entry-point";
            case "NamedConsequenceDescr", "ConditionalBranchDescr" -> "named consequence (do[...])";
            default -> d.getClass().getSimpleName().replace("Descr", "").toLowerCase(java.util.Locale.ROOT);
        };
    }

    private void refuse(int line, String message) { violations.add(new Violation(line, message)); }
}
