package dev.thrillring.engine;

import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.IntegerLiteralExpr;
import com.github.javaparser.ast.expr.LiteralStringValueExpr;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.StringLiteralExpr;
import com.github.javaparser.ast.expr.UnaryExpr;
import org.drools.drl.ast.descr.BaseDescr;
import org.drools.drl.ast.descr.ConditionalElementDescr;
import org.drools.drl.ast.descr.ExprConstraintDescr;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.ast.descr.PatternDescr;
import org.drools.drl.ast.descr.RuleDescr;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The achievements a rule set defines, read from its checked rules: each rule that tracks an
 * achievement ({@code track("key", "metric", threshold, "period")}) is one definition, its metadata
 * ({@code @title}, {@code @description}, {@code @category}, ...) the catalogue's text. The
 * catalogue is derived from the very rules that fire, so the two cannot drift apart.
 */
public final class AchievementDefinitions {

    /** One achievement as its rule defines it. */
    public record Definition(String key, String metric, String comparison, double threshold, String period, String requires,
                             long points, String rule, Map<String, String> meta) {
        public String meta(String name, String dflt) { return meta.getOrDefault(name, dflt); }
    }

    private AchievementDefinitions() {}

    /** Every definition in the resources (DRL files, and decision tables as the DRL they compile to). */
    public static List<Definition> from(List<RuleResource> resources) {
        List<Definition> out = new ArrayList<>();
        for (String drl : DecisionTables.allDrl(resources)) out.addAll(fromDrl(drl));
        return out;
    }

    /** The definitions of one DRL text; a text that does not pass the rule check defines none. */
    static List<Definition> fromDrl(String drl) {
        RuleCheck.Result checked = RuleCheck.check(drl, null);
        if (!checked.passed()) return List.of();
        List<Definition> out = new ArrayList<>();
        for (RuleDescr rule : checked.tree().getRules()) {
            List<Expression> conditions = new ArrayList<>();
            collect(rule.getLhs(), conditions);
            MethodCallExpr track = null;
            String requires = null;
            for (Expression e : conditions) {
                for (MethodCallExpr call : e.findAll(MethodCallExpr.class)) {
                    if (call.getNameAsString().equals("track") && track == null && call.getArguments().size() >= 4) track = call;
                    if (call.getNameAsString().equals("unlocked") && requires == null && !negated(call) && call.getArguments().size() == 1
                            && call.getArgument(0) instanceof StringLiteralExpr s) requires = s.asString();
                }
            }
            if (track == null || !(track.getArgument(0) instanceof StringLiteralExpr key) || !(track.getArgument(1) instanceof StringLiteralExpr metric)
                    || !(track.getArgument(2) instanceof LiteralStringValueExpr threshold) || !(track.getArgument(3) instanceof StringLiteralExpr period)) {
                continue;
            }
            String comparison = track.getArguments().size() > 4 && track.getArgument(4) instanceof StringLiteralExpr c ? c.asString() : ">=";
            long points = 0;
            if (rule.getConsequence() != null) {
                for (MethodCallExpr call : StaticJavaParser.parseBlock("{" + rule.getConsequence() + "}").findAll(MethodCallExpr.class)) {
                    if (call.getNameAsString().equals("advance") && call.getArguments().size() == 2
                            && call.getArgument(1) instanceof IntegerLiteralExpr i) points = i.asNumber().longValue();
                }
            }
            out.add(new Definition(key.asString(), metric.asString(), comparison, Double.parseDouble(threshold.getValue().replace("_", "")),
                    period.asString(), requires, points, rule.getName(), Map.copyOf(checked.metadata().getOrDefault(rule.getName(), Map.of()))));
        }
        return out;
    }

    private static void collect(BaseDescr d, List<Expression> out) {
        if (d instanceof PatternDescr p) {
            for (BaseDescr c : p.getDescrs()) {
                if (c instanceof ExprConstraintDescr e) {
                    String text = e.getExpression();
                    int colon = ExpressionCheck.bindingColon(text);
                    out.add(StaticJavaParser.parseExpression(colon > 0 ? text.substring(colon + 1) : text));
                }
            }
        } else if (d instanceof ConditionalElementDescr ce && !(d instanceof org.drools.drl.ast.descr.NotDescr)) {
            for (Object c : ce.getDescrs()) collect((BaseDescr) c, out);
        }
    }

    private static boolean negated(Node n) {
        return n.getParentNode().filter(p -> p instanceof UnaryExpr u && u.getOperator() == UnaryExpr.Operator.LOGICAL_COMPLEMENT).isPresent();
    }
}
