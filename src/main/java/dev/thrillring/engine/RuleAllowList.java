package dev.thrillring.engine;

import java.util.Map;
import java.util.Set;

/**
 * Everything an uploaded rule may use, in one place (docs/rules.md prints the same list). Uploaded
 * rules are untrusted code: anything not named here is refused before it is compiled.
 */
final class RuleAllowList {
    private RuleAllowList() {}

    /** The types of values an allowed expression can have. */
    enum Type { FACT, STATE, TRACKING, OUTCOMES, STRING, NUMBER, BOOLEAN, INSTANT, ID, NULL, VOID }

    static final String MODEL = "dev.thrillring.engine.model.";

    /** Types a pattern may match (simple or qualified name) and the type they give a binding. */
    static final Map<String, Type> PATTERN_TYPES = Map.of(
            "Fact", Type.FACT, MODEL + "Fact", Type.FACT,
            "SubjectState", Type.STATE, MODEL + "SubjectState", Type.STATE);

    /** Result patterns of {@code accumulate}: the accumulated number. */
    static final Set<String> ACCUMULATE_RESULT_TYPES = Set.of("Number", "Object", "Double", "Long", "Integer");

    /** Built-in accumulate functions; custom accumulate code ({@code init/action/result}) is refused. */
    static final Set<String> ACCUMULATE_FUNCTIONS = Set.of("count", "sum", "min", "max", "average");

    /** The only imports: the model classes. */
    static final Set<String> IMPORTS = Set.of(MODEL + "Fact", MODEL + "SubjectState", MODEL + "Outcomes",
            MODEL + "Tracking", MODEL + "*");

    /** The one global. */
    static final String GLOBAL_NAME = "outcomes";
    static final Set<String> GLOBAL_TYPES = Set.of("Outcomes", MODEL + "Outcomes");

    /** Rule attributes and what their value may be. Everything else (timer, calendars, duration, enabled, ...) is refused. */
    static final Set<String> BOOLEAN_ATTRIBUTES = Set.of("no-loop", "lock-on-active");
    static final Set<String> NAME_ATTRIBUTES = Set.of("activation-group");
    static final String SALIENCE = "salience";
    static final String DIALECT = "dialect";

    /** Metadata keys a rule may carry; each value must be one plain literal. */
    static final Set<String> METADATA = Set.of("title", "description", "category", "type", "difficulty", "hidden",
            "cooldown_days", "badge", "icon", "note", "tier");

    /** A callable member: the receiver type, its name and arity, and what it returns. */
    record Member(Type receiver, String name, int arity) {}

    /** Methods of the model (and a short list of pure String, Instant and Math ones) and their result types. */
    static final Map<Member, Type> METHODS = Map.ofEntries(
            // Fact
            m(Type.FACT, "has", 1, Type.BOOLEAN), m(Type.FACT, "num", 1, Type.NUMBER), m(Type.FACT, "text", 1, Type.STRING),
            m(Type.FACT, "flag", 1, Type.BOOLEAN), m(Type.FACT, "textMatches", 2, Type.BOOLEAN),
            m(Type.FACT, "getId", 0, Type.STRING), m(Type.FACT, "getUserId", 0, Type.STRING), m(Type.FACT, "getType", 0, Type.STRING),
            m(Type.FACT, "getTenantId", 0, Type.ID), m(Type.FACT, "getOccurredAt", 0, Type.INSTANT),
            // SubjectState
            m(Type.STATE, "metric", 1, Type.NUMBER), m(Type.STATE, "metric", 2, Type.NUMBER), m(Type.STATE, "unlocked", 1, Type.BOOLEAN),
            m(Type.STATE, "changed", 1, Type.BOOLEAN), m(Type.STATE, "track", 4, Type.TRACKING), m(Type.STATE, "track", 5, Type.TRACKING),
            m(Type.STATE, "getReferralsConverted", 0, Type.NUMBER), m(Type.STATE, "getUserId", 0, Type.STRING),
            m(Type.STATE, "getTenantId", 0, Type.ID),
            // Tracking
            m(Type.TRACKING, "achievement", 0, Type.STRING), m(Type.TRACKING, "metric", 0, Type.STRING),
            m(Type.TRACKING, "period", 0, Type.STRING), m(Type.TRACKING, "current", 0, Type.NUMBER),
            m(Type.TRACKING, "target", 0, Type.NUMBER), m(Type.TRACKING, "reached", 0, Type.BOOLEAN),
            // pure String methods (no repeat, format or anything that can grow without bound)
            m(Type.STRING, "length", 0, Type.NUMBER), m(Type.STRING, "isEmpty", 0, Type.BOOLEAN), m(Type.STRING, "isBlank", 0, Type.BOOLEAN),
            m(Type.STRING, "startsWith", 1, Type.BOOLEAN), m(Type.STRING, "endsWith", 1, Type.BOOLEAN),
            m(Type.STRING, "contains", 1, Type.BOOLEAN), m(Type.STRING, "equals", 1, Type.BOOLEAN),
            m(Type.STRING, "equalsIgnoreCase", 1, Type.BOOLEAN), m(Type.STRING, "toLowerCase", 0, Type.STRING),
            m(Type.STRING, "toUpperCase", 0, Type.STRING), m(Type.STRING, "trim", 0, Type.STRING), m(Type.STRING, "strip", 0, Type.STRING),
            m(Type.STRING, "substring", 1, Type.STRING), m(Type.STRING, "substring", 2, Type.STRING),
            m(Type.STRING, "indexOf", 1, Type.NUMBER), m(Type.STRING, "compareTo", 1, Type.NUMBER),
            // Instant comparisons
            m(Type.INSTANT, "isBefore", 1, Type.BOOLEAN), m(Type.INSTANT, "isAfter", 1, Type.BOOLEAN),
            m(Type.INSTANT, "getEpochSecond", 0, Type.NUMBER), m(Type.INSTANT, "toEpochMilli", 0, Type.NUMBER),
            // the outcome API (consequences only)
            m(Type.OUTCOMES, "points", 2, Type.VOID), m(Type.OUTCOMES, "metric", 2, Type.VOID),
            m(Type.OUTCOMES, "metricMax", 2, Type.VOID), m(Type.OUTCOMES, "streak", 2, Type.VOID),
            m(Type.OUTCOMES, "countPeriods", 2, Type.VOID), m(Type.OUTCOMES, "advance", 2, Type.VOID),
            m(Type.OUTCOMES, "progress", 3, Type.VOID), m(Type.OUTCOMES, "unlock", 1, Type.VOID),
            m(Type.OUTCOMES, "score", 2, Type.VOID), m(Type.OUTCOMES, "reward", 3, Type.VOID),
            m(Type.OUTCOMES, "fraudSignal", 3, Type.VOID));

    /** Properties a constraint may name directly ({@code type == "x"}), with the getter they stand for. */
    static final Map<Type, Map<String, Type>> PROPERTIES = Map.of(
            Type.FACT, Map.of("id", Type.STRING, "userId", Type.STRING, "type", Type.STRING, "tenantId", Type.ID,
                    "occurredAt", Type.INSTANT),
            Type.STATE, Map.of("referralsConverted", Type.NUMBER, "userId", Type.STRING, "tenantId", Type.ID));

    /** Static methods: only {@code Math}'s pure numeric functions. */
    static final Map<String, Integer> MATH = Map.ofEntries(Map.entry("abs", 1), Map.entry("min", 2), Map.entry("max", 2),
            Map.entry("floor", 1), Map.entry("ceil", 1), Map.entry("round", 1), Map.entry("sqrt", 1), Map.entry("pow", 2),
            Map.entry("signum", 1), Map.entry("log", 1), Map.entry("log10", 1), Map.entry("exp", 1));

    /** Casts a rule may write: between the primitive number types. */
    static final Set<String> CASTS = Set.of("int", "long", "double");

    private static Map.Entry<Member, Type> m(Type receiver, String name, int arity, Type result) {
        return Map.entry(new Member(receiver, name, arity), result);
    }
}
