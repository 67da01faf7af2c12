package dev.thrillring.engine;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.expr.BinaryExpr;
import com.github.javaparser.ast.expr.BooleanLiteralExpr;
import com.github.javaparser.ast.expr.CastExpr;
import com.github.javaparser.ast.expr.ConditionalExpr;
import com.github.javaparser.ast.expr.DoubleLiteralExpr;
import com.github.javaparser.ast.expr.EnclosedExpr;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.FieldAccessExpr;
import com.github.javaparser.ast.expr.IntegerLiteralExpr;
import com.github.javaparser.ast.expr.LongLiteralExpr;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.NameExpr;
import com.github.javaparser.ast.expr.NullLiteralExpr;
import com.github.javaparser.ast.expr.StringLiteralExpr;
import com.github.javaparser.ast.expr.TextBlockLiteralExpr;
import com.github.javaparser.ast.expr.UnaryExpr;
import com.github.javaparser.ast.stmt.BlockStmt;
import com.github.javaparser.ast.stmt.EmptyStmt;
import com.github.javaparser.ast.stmt.ExpressionStmt;
import com.github.javaparser.ast.stmt.Statement;
import com.github.javaparser.ast.type.PrimitiveType;
import com.github.javaparser.printer.DefaultPrettyPrinter;
import com.github.javaparser.printer.configuration.DefaultConfigurationOption;
import com.github.javaparser.printer.configuration.DefaultPrinterConfiguration;
import dev.thrillring.engine.RuleAllowList.Member;
import dev.thrillring.engine.RuleAllowList.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one constraint or consequence of an uploaded rule with Java's own grammar (JavaParser,
 * which knows text blocks and comments) against {@link RuleAllowList}, typing every sub-expression,
 * and prints back the canonical text that is then compiled: comments, layout and any spelling
 * the check did not see never reach the compiler.
 */
final class ExpressionCheck {
    /** Deeper expressions are refused rather than risking the compiler's stack. */
    private static final int MAX_DEPTH = 64;
    private static final Set<String> DRL_OPERATORS = Set.of("matches", "soundslike", "memberOf", "contains", "excludes",
            "in", "instanceof", "str", "after", "before", "coincides", "during", "finishes", "includes", "meets",
            "overlaps", "starts");
    private static final DefaultPrettyPrinter PRINTER = new DefaultPrettyPrinter(new DefaultPrinterConfiguration()
            .removeOption(new DefaultConfigurationOption(DefaultPrinterConfiguration.ConfigOption.PRINT_COMMENTS))
            .removeOption(new DefaultConfigurationOption(DefaultPrinterConfiguration.ConfigOption.PRINT_JAVADOC)));

    /** A refusal at a line of the checked text (1-based), naming the construct. */
    record Problem(int line, String message) {}

    /** The canonical text to compile, and its binding's type when it binds one. */
    record Checked(String text, String binding, Type bindingType) {}

    private final Map<String, Type> bindings;
    private final Type implicit;
    private final boolean consequence;
    private final List<Problem> problems = new ArrayList<>();

    /**
     * @param bindings    the rule's bindings visible here and their types
     * @param implicit    the pattern's type, whose members a constraint may name bare; null in consequences
     * @param consequence true for a consequence: {@code outcomes} is visible, properties are not
     */
    ExpressionCheck(Map<String, Type> bindings, Type implicit, boolean consequence) {
        this.bindings = bindings;
        this.implicit = implicit;
        this.consequence = consequence;
    }

    List<Problem> problems() { return problems; }

    /** One parser per thread: building one costs more than parsing a constraint, and they are not thread-safe. */
    private static final ThreadLocal<JavaParser> PARSER = ThreadLocal.withInitial(() -> new JavaParser(new ParserConfiguration()
                .setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_21)
                .setAttributeComments(false)
                .setPreprocessUnicodeEscapes(true)
                .setLexicalPreservationEnabled(false)));

    private static JavaParser parser() { return PARSER.get(); }

    /** A pattern constraint, optionally a binding ({@code $t : track(...) != null}); null when refused. */
    Checked constraint(String text) {
        String binding = null;
        String expr = text;
        int colon = bindingColon(text);
        if (colon > 0) {
            binding = text.substring(0, colon).strip();
            expr = text.substring(colon + 1);
        }
        if (expr.strip().startsWith("=")) {
            problems.add(new Problem(1, "unification (':=') is not allowed in rules"));
            return null;
        }
        ParseResult<Expression> parsed = parser().parseExpression(expr);
        if (!parsed.isSuccessful() || parsed.getResult().isEmpty()) {
            problems.add(new Problem(1, syntaxMessage(expr, "constraint")));
            return null;
        }
        Expression e = parsed.getResult().get();
        Type type = type(e, 0);
        if (type == null) return null;
        Type bound = type;
        if (binding != null && e instanceof BinaryExpr b && comparison(b.getOperator())) bound = type(b.getLeft(), 0);
        String canonical = PRINTER.print(e);
        return new Checked(binding == null ? canonical : binding + " : " + canonical, binding, bound);
    }

    /** A consequence: only calls on {@code outcomes}, one per statement; null when refused. */
    String consequence(String text) {
        ParseResult<BlockStmt> parsed = parser().parseBlock("{" + text + "\n}");
        if (!parsed.isSuccessful() || parsed.getResult().isEmpty()) {
            problems.add(new Problem(1, syntaxMessage(text, "consequence")));
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (Statement s : parsed.getResult().get().getStatements()) {
            int line = s.getBegin().map(p -> p.line).orElse(1);
            if (s instanceof EmptyStmt) continue;
            if (!(s instanceof ExpressionStmt es) || !(es.getExpression() instanceof MethodCallExpr call)
                    || call.getScope().filter(sc -> sc instanceof NameExpr n && n.getNameAsString().equals(RuleAllowList.GLOBAL_NAME)).isEmpty()) {
                problems.add(new Problem(line, statementMessage(s)));
                continue;
            }
            int before = problems.size();
            type(call, 0);
            if (problems.size() == before) out.append(PRINTER.print(call)).append(";\n");
        }
        return out.toString();
    }

    /** The type of {@code e}, or null (with a problem recorded) when something in it is not allowed. */
    private Type type(Expression e, int depth) {
        int line = e.getBegin().map(p -> p.line).orElse(1);
        if (depth > MAX_DEPTH) return refuse(line, "expression is nested more than " + MAX_DEPTH + " levels deep");
        if (e instanceof StringLiteralExpr) return Type.STRING;
        if (e instanceof TextBlockLiteralExpr) return refuse(line, "text block (\"\"\") is not allowed in rules");
        if (e instanceof IntegerLiteralExpr || e instanceof LongLiteralExpr || e instanceof DoubleLiteralExpr) return Type.NUMBER;
        if (e instanceof BooleanLiteralExpr) return Type.BOOLEAN;
        if (e instanceof NullLiteralExpr) return Type.NULL;
        if (e instanceof EnclosedExpr en) return type(en.getInner(), depth + 1);
        if (e instanceof NameExpr n) return name(n.getNameAsString(), line);
        if (e instanceof MethodCallExpr call) return call(call, line, depth);
        if (e instanceof FieldAccessExpr f) {
            Expression root = f.getScope();
            while (root instanceof FieldAccessExpr inner) root = inner.getScope();
            if (root instanceof NameExpr n && !bindings.containsKey(n.getNameAsString())) {
                return refuse(line, "qualified name '" + PRINTER.print(f) + "' is not allowed: rules may not name classes or packages (no static calls outside Math)");
            }
            if (consequence) return refuse(line, "property access '" + f + "' is not allowed in a consequence; call the getter");
            if (f.getTypeArguments().isPresent()) return refuse(line, "type arguments are not allowed in rules");
            Type scope = type(f.getScope(), depth + 1);
            if (scope == null) return null;
            Type t = RuleAllowList.PROPERTIES.getOrDefault(scope, Map.of()).get(f.getNameAsString());
            return t != null ? t : refuse(line, "name '" + f.getNameAsString() + "' is not a property a rule may read");
        }
        if (e instanceof BinaryExpr b) {
            // A chain (a || b || c ...) is long, not deep: only real nesting counts towards the limit.
            Type l = type(b.getLeft(), b.getLeft() instanceof BinaryExpr ? depth : depth + 1);
            Type r = type(b.getRight(), depth + 1);
            if (l == null || r == null) return null;
            return switch (b.getOperator()) {
                case OR, AND, EQUALS, NOT_EQUALS, LESS, GREATER, LESS_EQUALS, GREATER_EQUALS -> Type.BOOLEAN;
                case PLUS -> l == Type.STRING || r == Type.STRING ? Type.STRING : Type.NUMBER;
                case MINUS, MULTIPLY, DIVIDE, REMAINDER -> Type.NUMBER;
                default -> refuse(line, "operator '" + b.getOperator().asString() + "' is not allowed in rules");
            };
        }
        if (e instanceof UnaryExpr u) {
            Type t = type(u.getExpression(), depth + 1);
            if (t == null) return null;
            return switch (u.getOperator()) {
                case LOGICAL_COMPLEMENT -> Type.BOOLEAN;
                case MINUS, PLUS -> Type.NUMBER;
                default -> refuse(line, "assignment ('" + u.getOperator().asString() + "') is not allowed in rules");
            };
        }
        if (e instanceof ConditionalExpr c) {
            Type cond = type(c.getCondition(), depth + 1);
            Type a = type(c.getThenExpr(), depth + 1);
            Type b = type(c.getElseExpr(), depth + 1);
            return cond == null || a == null || b == null ? null : a;
        }
        if (e instanceof CastExpr c) {
            if (!(c.getType() instanceof PrimitiveType p) || !RuleAllowList.CASTS.contains(p.asString())) {
                return refuse(line, "cast to " + c.getType() + " is not allowed; only (int), (long) and (double)");
            }
            return type(c.getExpression(), depth + 1) == null ? null : Type.NUMBER;
        }
        return refuse(line, construct(e) + " is not allowed in rules");
    }

    private Type name(String name, int line) {
        Type bound = bindings.get(name);
        if (bound != null) return bound;
        if (consequence && name.equals(RuleAllowList.GLOBAL_NAME)) return Type.OUTCOMES;
        if (!consequence && implicit != null) {
            Type t = RuleAllowList.PROPERTIES.getOrDefault(implicit, Map.of()).get(name);
            if (t != null) return t;
        }
        return refuse(line, "name '" + name + "' is not allowed: a rule may name its bindings"
                + (consequence ? ", and 'outcomes'" : " and the pattern's properties"));
    }

    private Type call(MethodCallExpr call, int line, int depth) {
        String name = call.getNameAsString();
        if (call.getTypeArguments().isPresent()) return refuse(line, "type arguments are not allowed in rules");
        Type receiver;
        if (call.getScope().isEmpty()) {
            if (consequence || implicit == null) return refuse(line, "static call '" + name + "(...)' is not allowed in rules");
            receiver = implicit;
        } else if (call.getScope().get() instanceof NameExpr n && n.getNameAsString().equals("Math") && !bindings.containsKey("Math")) {
            Integer arity = RuleAllowList.MATH.get(name);
            if (arity == null || arity != call.getArguments().size()) return refuse(line, "static call 'Math." + name + "' is not allowed in rules");
            for (Expression a : call.getArguments()) if (type(a, depth + 1) == null) return null;
            return Type.NUMBER;
        } else {
            receiver = type(call.getScope().get(), depth + 1);
            if (receiver == null) return null;
        }
        Type result = RuleAllowList.METHODS.get(new Member(receiver, name, call.getArguments().size()));
        if (result == null) return refuse(line, "method '" + name + "' with " + call.getArguments().size()
                + " argument(s) is not allowed on " + receiver.name().toLowerCase(java.util.Locale.ROOT) + " values");
        if (receiver == Type.OUTCOMES && !consequence) return refuse(line, "outcomes may be called only in a consequence");
        for (Expression a : call.getArguments()) if (type(a, depth + 1) == null) return null;
        return result;
    }

    private Type refuse(int line, String message) {
        problems.add(new Problem(line, message));
        return null;
    }

    private static boolean comparison(BinaryExpr.Operator op) {
        return switch (op) {
            case EQUALS, NOT_EQUALS, LESS, GREATER, LESS_EQUALS, GREATER_EQUALS -> true;
            default -> false;
        };
    }

    /** The colon of a leading {@code $name :} binding, or -1; a plain character scan (no regex). */
    static int bindingColon(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
        int start = i;
        while (i < text.length() && isIdentChar(text.charAt(i))) i++;
        if (i == start) return -1;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
        return i < text.length() && text.charAt(i) == ':' && (i + 1 >= text.length() || text.charAt(i + 1) != '=') ? i : -1;
    }

    static boolean isIdentChar(char c) {
        return c == '$' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** Names a DRL operator outside the allowed expression language, else a plain syntax error. */
    private static String syntaxMessage(String text, String what) {
        int i = 0;
        while (i < text.length()) {
            if (!isIdentChar(text.charAt(i))) { i++; continue; }
            int start = i;
            while (i < text.length() && isIdentChar(text.charAt(i))) i++;
            String word = text.substring(start, i);
            if (word.equals("matches")) {
                return "the 'matches' operator is not allowed: its regular expressions can backtrack without bound; "
                        + "use textMatches(\"attribute\", \"regex\"), which runs in linear time (RE2)";
            }
            if (DRL_OPERATORS.contains(word)) return "the '" + word + "' operator is not allowed in rules";
        }
        if (text.contains("\"\"\"")) return "text block (\"\"\") is not allowed in rules";
        return "syntax: this " + what + " is not in the expression language rules may use (Java expressions on the fact model"
                + (what.equals("consequence") ? ", one outcomes.xxx(...) call per statement" : "") + ")";
    }

    private static String statementMessage(Statement s) {
        String kind = s.getClass().getSimpleName();
        if (s.isForStmt() || s.isForEachStmt() || s.isWhileStmt() || s.isDoStmt()) return "loop statement is not allowed in rules";
        if (s.isLocalClassDeclarationStmt() || s.isLocalRecordDeclarationStmt()) return "class declaration statement is not allowed in rules";
        if (s instanceof ExpressionStmt es) {
            Expression e = es.getExpression();
            if (e.isVariableDeclarationExpr()) return "statement declaring a variable is not allowed in rules; a consequence only calls outcomes";
            if (e.isMethodCallExpr()) {
                MethodCallExpr call = e.asMethodCallExpr();
                return call.getScope().isEmpty() ? "static call '" + call.getNameAsString() + "(...)' is not allowed in rules"
                        : "statement calling '" + call + "' is not allowed: a consequence only calls outcomes";
            }
            return construct(e) + " statement is not allowed in rules; a consequence only calls outcomes";
        }
        return "statement (" + kind.replace("Stmt", "").toLowerCase(java.util.Locale.ROOT) + ") is not allowed in rules; a consequence only calls outcomes";
    }

    private static String construct(Node e) {
        return switch (e.getClass().getSimpleName()) {
            case "ObjectCreationExpr" -> "object creation ('new')";
            case "ArrayCreationExpr", "ArrayInitializerExpr" -> "array creation ('new')";
            case "ClassExpr" -> "class literal";
            case "LambdaExpr" -> "lambda";
            case "MethodReferenceExpr" -> "method reference";
            case "AssignExpr" -> "assignment";
            case "ArrayAccessExpr" -> "array access";
            case "InstanceOfExpr" -> "instanceof";
            case "ThisExpr", "SuperExpr" -> "name 'this'";
            case "SwitchExpr" -> "switch expression";
            case "CharLiteralExpr" -> "character literal";
            case "TypeExpr" -> "type name";
            default -> "expression (" + e.getClass().getSimpleName().replace("Expr", "") + ")";
        };
    }
}
