package dev.thrillring.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A rule author's test: given a subject's state and some facts, which rules fire and which
 * outcomes follow. Files are named {@code *.scenario.json} and hold one scenario or an array:
 *
 * <pre>{@code
 * {"name": "a shipped order earns 10 points",
 *  "given": {"metrics": {"orders_shipped": 9}, "unlocked": [], "referrals_converted": 0},
 *  "facts": [{"type": "order.shipped", "attributes": {"value": 25}}],
 *  "expect": {"fired": ["Shipped orders count"], "not_fired": [],
 *             "outcomes": [{"kind": "points", "amount": 10}], "no_outcomes": [{"kind": "unlock"}],
 *             "metrics": {"orders_shipped": 10}}}
 * }</pre>
 */
public record Scenario(String file, String name, JsonNode json) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static boolean isScenarioFile(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).endsWith(".scenario.json");
    }

    /** Reads the scenarios of one file. @throws RuleSetInvalid when the file is not valid scenario JSON */
    public static List<Scenario> parse(String file, byte[] content) {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (IOException e) {
            throw new RuleSetInvalid(file, List.of(RuleSetInvalid.Error.inFile(file, "not valid JSON: " + e.getMessage())));
        }
        List<Scenario> out = new ArrayList<>();
        List<JsonNode> items = new ArrayList<>();
        if (root != null && root.isArray()) root.forEach(items::add);
        else items.add(root);
        List<RuleSetInvalid.Error> errors = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode s = items.get(i);
            String where = items.size() > 1 ? "[" + i + "]" : "";
            if (s == null || !s.isObject()) {
                errors.add(RuleSetInvalid.Error.inFile(file, "scenario" + where + " must be an object"));
                continue;
            }
            if (!s.path("facts").isArray() || s.path("facts").isEmpty()) {
                errors.add(RuleSetInvalid.Error.inFile(file, "scenario" + where + " needs a non-empty 'facts' array"));
            }
            if (!s.path("expect").isObject()) errors.add(RuleSetInvalid.Error.inFile(file, "scenario" + where + " needs an 'expect' object"));
            out.add(new Scenario(file, s.path("name").asText("scenario " + (i + 1)), s));
        }
        if (!errors.isEmpty()) throw new RuleSetInvalid(file, errors);
        return out;
    }
}
