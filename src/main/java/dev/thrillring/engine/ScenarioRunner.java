package dev.thrillring.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thrillring.engine.model.Fact;
import dev.thrillring.engine.model.Outcome;
import dev.thrillring.engine.model.SubjectState;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Runs scenarios against a compiled rule set and says, readably, what did not hold. */
public final class ScenarioRunner {
    private final RuleEngine engine;

    public ScenarioRunner(RuleEngine engine) { this.engine = engine; }

    /** The result of one scenario. */
    public record Result(String file, String name, boolean passed, List<String> failures, List<String> fired, List<Outcome> outcomes) {}

    public List<Result> run(CompiledRuleSet set, List<Scenario> scenarios) {
        return scenarios.stream().map(s -> run(set, s)).toList();
    }

    Result run(CompiledRuleSet set, Scenario s) {
        JsonNode j = s.json();
        UUID tenant = new UUID(0, 1);
        String user = j.path("user_id").isTextual() ? j.path("user_id").asText() : "scenario-user";
        SubjectState state = given(tenant, user, j.path("given"));
        List<String> fired = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int i = 0;
        for (JsonNode f : j.path("facts")) {
            Map<String, Object> attributes = new LinkedHashMap<>();
            f.path("attributes").fields().forEachRemaining(e -> attributes.put(e.getKey(), scalar(e.getValue())));
            Instant at = f.path("occurred_at").isTextual() ? OffsetDateTime.parse(f.path("occurred_at").asText()).toInstant() : Instant.now();
            Fact fact = new Fact("scenario-" + (++i), tenant, user, f.path("type").asText(), at, attributes);
            try {
                Evaluation e = engine.evaluate(set, fact, state);
                fired.addAll(e.firedRules());
                outcomes.addAll(e.outcomes());
            } catch (RuleFailure e) {
                failures.add("fact " + i + ": " + e.getMessage());
            }
        }
        JsonNode expect = j.path("expect");
        for (JsonNode r : expect.path("fired")) if (!fired.contains(r.asText())) failures.add("expected rule '" + r.asText() + "' to fire; fired: " + fired);
        for (JsonNode r : expect.path("not_fired")) if (fired.contains(r.asText())) failures.add("expected rule '" + r.asText() + "' not to fire");
        for (JsonNode o : expect.path("outcomes")) {
            if (outcomes.stream().noneMatch(x -> matches(x, o))) failures.add("expected an outcome like " + o + "; got " + describe(outcomes));
        }
        for (JsonNode o : expect.path("no_outcomes")) {
            if (outcomes.stream().anyMatch(x -> matches(x, o))) failures.add("expected no outcome like " + o);
        }
        expect.path("metrics").fields().forEachRemaining(m -> {
            double actual = state.metric(m.getKey());
            if (Math.abs(actual - m.getValue().asDouble()) > 1e-9) {
                failures.add("expected metric '" + m.getKey() + "' = " + m.getValue().asDouble() + ", was " + actual);
            }
        });
        return new Result(s.file(), s.name(), failures.isEmpty(), failures, fired, outcomes);
    }

    private static SubjectState given(UUID tenant, String user, JsonNode g) {
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        Map<String, Double> all = new LinkedHashMap<>();
        g.path("metrics").fields().forEachRemaining(e -> all.put(e.getKey(), e.getValue().asDouble()));
        for (String p : SubjectState.PERIODS) metrics.put(p, all);
        g.path("metrics_by_period").fields().forEachRemaining(p -> {
            Map<String, Double> values = new LinkedHashMap<>();
            p.getValue().fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asDouble()));
            metrics.put(p.getKey(), values);
        });
        Set<String> unlocked = new HashSet<>();
        g.path("unlocked").forEach(u -> unlocked.add(u.asText()));
        return new SubjectState(tenant, user, metrics, unlocked, g.path("referrals_converted").asInt(0));
    }

    /** True when the outcome has the expected kind (and rule) and every expected detail. */
    private static boolean matches(Outcome actual, JsonNode expected) {
        var it = expected.fields();
        while (it.hasNext()) {
            var e = it.next();
            Object value = switch (e.getKey()) {
                case "kind" -> actual.kind();
                case "rule" -> actual.rule();
                default -> actual.details().get(e.getKey());
            };
            if (value == null) return false;
            JsonNode want = e.getValue();
            if (want.isNumber() ? !(value instanceof Number n && Math.abs(n.doubleValue() - want.asDouble()) < 1e-9)
                                : !String.valueOf(value).equals(want.asText())) return false;
        }
        return true;
    }

    private static String describe(List<Outcome> outcomes) {
        List<String> s = new ArrayList<>();
        for (Outcome o : outcomes) s.add(o.kind() + o.details());
        return s.toString();
    }

    private static Object scalar(JsonNode v) {
        if (v.isIntegralNumber()) return v.longValue();
        if (v.isNumber()) return v.doubleValue();
        if (v.isBoolean()) return v.booleanValue();
        if (v.isNull()) return null;
        return v.asText();
    }
}
