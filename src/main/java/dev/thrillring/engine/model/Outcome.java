package dev.thrillring.engine.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thing the rules decided about a fact: its kind ({@code points}, {@code metric},
 * {@code progress}, {@code unlock}, {@code score}, {@code reward}, {@code fraud_signal}),
 * the rule that decided it and the kind's fields.
 */
public record Outcome(String kind, String rule, Map<String, Object> details) {
    public Outcome {
        // Keeps the order the rule wrote the fields in, for readable decisions.
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
}
