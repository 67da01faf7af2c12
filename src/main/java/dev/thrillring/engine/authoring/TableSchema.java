package dev.thrillring.engine.authoring;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What one kind of decision table means: its columns in order, what each cell may hold, and which
 * columns identify a row. The engine rows (CONDITION/ACTION, object types, code) are part of the
 * kind, so a table of a known kind cannot change what its cells do, only their values.
 */
public record TableSchema(String kind, String title, List<Column> columns, List<Pattern> patterns, List<Integer> key,
                          Column repeated) {

    /** What a value (or one part of a composite cell) must be. */
    public enum Type { INTEGER, DECIMAL, PERCENTAGE, DAYS, ENUM, IDENTIFIER, TEXT, BOOLEAN, FACT_TYPE, METRIC, ACHIEVEMENT }

    /** One value; a composite cell ("key, metric, threshold, period") has several. */
    public record Part(String name, Type type, double min, double max, List<String> values, String example) {
        static Part of(String name, Type type, String example) { return new Part(name, type, -1e12, 1e12, List.of(), example); }
        static Part range(String name, Type type, double min, double max, String example) { return new Part(name, type, min, max, List.of(), example); }
        static Part oneOf(String name, List<String> values) { return new Part(name, Type.ENUM, 0, 0, values, values.getFirst()); }
    }

    /**
     * One column: its keyword (CONDITION, ACTION, METADATA), its code as the engine row holds it
     * (whitespace ignored), its header, whether a value is required, its parts and what it means.
     */
    public record Column(String keyword, String code, String header, boolean required, List<Part> parts, String meaning) {
        boolean composite() { return parts.size() > 1; }
    }

    /** Adjacent CONDITION columns {@code from..to} that form one pattern on {@code objectType}. */
    public record Pattern(int from, int to, String objectType) {}

    public static final List<String> PERIODS = List.of("day", "week", "month", "all_time");
    private static final java.util.regex.Pattern BOARD_CODE = java.util.regex.Pattern.compile(
            "outcomes\\.score\\(\"([A-Za-z0-9_.-]+)\",\\$param(\\*\\$f\\.num\\(\"value\"\\))?\\);");

    /** The five shipped kinds. */
    public static final List<TableSchema> KINDS = List.of(
            new TableSchema("fact-points", "Fact points", List.of(
                    new Column("CONDITION", "type == \"$param\"", "Fact type", true,
                            List.of(Part.of("Fact type", Type.FACT_TYPE, "lead.captured")), "the kind of fact, as the platform sends it"),
                    new Column("ACTION", "outcomes.points($param, \"fact points\");", "Points", true,
                            List.of(Part.range("Points", Type.INTEGER, -1_000_000, 1_000_000, "50")), "points the user earns for one such fact")),
                    List.of(new Pattern(0, 0, "Fact")), List.of(0), null),
            new TableSchema("achievement-thresholds", "Achievements", List.of(
                    new Column("CONDITION", "$t : track(\"$1\", \"$2\", $3, \"$4\") != null", "Achievement: key, metric, threshold, period", true,
                            List.of(Part.of("Key", Type.IDENTIFIER, "first-campaign"), Part.of("Metric", Type.METRIC, "campaigns_launched"),
                                    Part.range("Threshold", Type.DECIMAL, 0.000001, 1e12, "10"), Part.oneOf("Period", PERIODS)),
                            "the achievement's key, the metric it counts, the value to reach and the period it is counted in"),
                    new Column("CONDITION", "unlocked(\"$param\")", "Requires", false,
                            List.of(Part.of("Requires", Type.ACHIEVEMENT, "first-campaign")), "an achievement the user must hold first (optional)"),
                    new Column("ACTION", "outcomes.advance($t, $param);", "Points", true,
                            List.of(Part.range("Points", Type.INTEGER, 0, 1_000_000, "50")), "points awarded on unlock"),
                    new Column("METADATA", "title(\"$param\")", "Name", true, List.of(Part.of("Name", Type.TEXT, "First campaign")), "the name users see"),
                    new Column("METADATA", "description(\"$param\")", "Description", false, List.of(Part.of("Description", Type.TEXT, "Launch your first campaign")), "what the user has to do"),
                    new Column("METADATA", "category(\"$param\")", "Category", false, List.of(Part.of("Category", Type.TEXT, "Campaigns")), "the group it is listed under"),
                    new Column("METADATA", "type(\"$param\")", "Type", false, List.of(Part.oneOf("Type", List.of("milestone", "performance", "social", "streak", "engagement"))), "the kind of achievement"),
                    new Column("METADATA", "difficulty(\"$param\")", "Difficulty", false, List.of(Part.range("Difficulty", Type.INTEGER, 1, 5, "2")), "1 (easy) to 5 (hard)"),
                    new Column("METADATA", "hidden(\"$param\")", "Hidden", false, List.of(Part.of("Hidden", Type.BOOLEAN, "true")), "true keeps it secret until unlocked"),
                    new Column("METADATA", "cooldown_days(\"$param\")", "Cooldown (days)", false, List.of(Part.range("Cooldown (days)", Type.DAYS, 1, 3650, "7")), "days before it can be earned again (empty: once)"),
                    new Column("METADATA", "badge(\"$param\")", "Badge", false, List.of(Part.of("Badge", Type.IDENTIFIER, "first-campaign")), "the badge image key (optional)")),
                    List.of(new Pattern(0, 1, "SubjectState")), List.of(0), null),
            new TableSchema("leaderboard-scoring", "Leaderboard scoring", List.of(
                    new Column("CONDITION", "type == \"$param\"", "Fact type", true,
                            List.of(Part.of("Fact type", Type.FACT_TYPE, "lead.captured")), "the kind of fact, as the platform sends it")),
                    List.of(new Pattern(0, 0, "$f : Fact")), List.of(0),
                    new Column("ACTION", null, null, false, List.of(Part.range("Score", Type.DECIMAL, -1_000_000, 1_000_000, "10")),
                            "leaderboard points per fact on this board (empty: none)")),
            new TableSchema("referral-reward-tiers", "Referral reward tiers", List.of(
                    new Column("CONDITION", "type == \"$param\"", "Fact type", true, List.of(Part.oneOf("Fact type", List.of("referral.converted"))), "always referral.converted"),
                    new Column("CONDITION", "text(\"conversion_type\") == \"$param\"", "Conversion type", true,
                            List.of(Part.of("Conversion type", Type.IDENTIFIER, "signup")), "the conversion type the program reports"),
                    new Column("CONDITION", "referralsConverted >= $param", "Approved before at least", true,
                            List.of(Part.range("Approved before at least", Type.INTEGER, 0, 1_000_000_000, "0")), "lower bound of the tier (included)"),
                    new Column("CONDITION", "referralsConverted < $param", "Approved before fewer than", true,
                            List.of(Part.range("Approved before fewer than", Type.INTEGER, 1, 1_000_000_000, "5")), "upper bound of the tier (excluded)"),
                    new Column("ACTION", "outcomes.reward(\"referrer\", \"$1\", $2 + $3 * $f.num(\"conversion_value\") / 100);", "Referrer: tier, fixed, % of value", true,
                            rewardParts(), "the referrer's tier name, fixed amount and percentage of the conversion value"),
                    new Column("ACTION", "outcomes.reward(\"referee\", \"$1\", $2 + $3 * $f.num(\"conversion_value\") / 100);", "Referee: tier, fixed, % of value", true,
                            rewardParts(), "the referee's tier name, fixed amount and percentage of the conversion value")),
                    List.of(new Pattern(0, 0, "$f : Fact"), new Pattern(1, 1, "Fact"), new Pattern(2, 3, "SubjectState")), List.of(1, 2), null),
            new TableSchema("fraud-indicators", "Fraud indicators", List.of(
                    new Column("CONDITION", "type == \"$param\"", "Fact type", true, List.of(Part.oneOf("Fact type", List.of("referral.converted"))), "always referral.converted"),
                    new Column("CONDITION", "flag(\"$param\")", "Signal attribute", true,
                            List.of(Part.of("Signal attribute", Type.IDENTIFIER, "signal_same_ip")), "the signal the service computes (signal_...)"),
                    new Column("ACTION", "outcomes.fraudSignal(\"$1\", $2, \"$3\");", "Indicator, weight, reason", true,
                            List.of(Part.of("Indicator", Type.IDENTIFIER, "same_ip"), Part.range("Weight", Type.DECIMAL, 0, 1, "0.25"),
                                    Part.of("Reason", Type.TEXT, "same IP address as the referrer")),
                            "the indicator's name, its weight from 0 to 1 and the reason reviewers see")),
                    List.of(new Pattern(0, 1, "Fact")), List.of(1), null));

    private static List<Part> rewardParts() {
        return List.of(Part.of("Tier", Type.IDENTIFIER, "bronze"), Part.range("Fixed amount", Type.DECIMAL, 0, 1_000_000, "5"),
                Part.range("% of value", Type.PERCENTAGE, 0, 100, "2.5"));
    }

    /**
     * The kind of a table file: its name without extension, case ignored, equals a kind or starts
     * with it and a dash ({@code achievement-thresholds-summer.drl.xlsx}); null for other tables.
     */
    public static TableSchema forFile(String path) {
        String base = tableName(path);
        for (TableSchema s : KINDS) if (base.equals(s.kind) || base.startsWith(s.kind + "-")) return s;
        return null;
    }

    /** A table's identity: file name without folder and extension, lower case. */
    public static String tableName(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return name.replaceAll("(\\.drl)?\\.(xlsx|xls|csv|ods)$", "");
    }

    /**
     * The header of value {@code i} of a composite column written one value per cell: the value's
     * name, qualified by the column's own header (the part before ':') when another column has a
     * value of the same name ("Referrer tier", "Referee tier").
     */
    public String partHeader(Column col, int i) {
        String name = col.parts().get(i).name();
        for (Column other : columns) {
            if (other == col) continue;
            for (Part p : other.parts()) {
                if (p.name().equals(name) && col.header() != null && col.header().contains(":")) {
                    return col.header().substring(0, col.header().indexOf(':')).trim() + " " + name.toLowerCase(Locale.ROOT);
                }
            }
        }
        return name;
    }

    /** The column of this kind at {@code index} whose code row holds {@code code}, or null when it does not fit. */
    Column columnAt(int index, String code) {
        if (index < columns.size()) return columns.get(index);
        if (repeated == null) return null;
        var m = BOARD_CODE.matcher(code.replaceAll("\\s+", ""));
        if (!m.matches()) return null;
        return new Column(repeated.keyword(), code, null, false, repeated.parts(), repeated.meaning() + " '" + m.group(1) + "'");
    }
}
