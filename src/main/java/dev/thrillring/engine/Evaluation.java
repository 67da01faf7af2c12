package dev.thrillring.engine;

import dev.thrillring.engine.model.Outcome;

import java.util.List;

/** What one rule set decided about one fact, and how long it took. */
public record Evaluation(String ruleSetVersion, List<String> firedRules, List<Outcome> outcomes, long micros) {}
