package dev.thrillring.badges;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A small checker for the keywords the bundled OB 3.0.3 required-fields schema uses (type,
 * required, properties, items, prefixItems, contains, allOf, anyOf, const, minItems, pattern).
 * It lists every violation with its JSON path.
 */
final class RequiredFieldsSchema {
    private RequiredFieldsSchema() {}

    static List<String> violations(JsonNode schema, JsonNode value) {
        List<String> out = new ArrayList<>();
        check(schema, value, "$", out);
        return out;
    }

    private static void check(JsonNode s, JsonNode v, String path, List<String> out) {
        if (s.has("type") && !typeOk(s.get("type").asText(), v)) {
            out.add(path + ": must be " + s.get("type").asText());
            return;
        }
        if (s.has("const") && !s.get("const").equals(v)) out.add(path + ": must be " + s.get("const"));
        if (s.has("pattern") && v.isTextual() && !Pattern.compile(s.get("pattern").asText()).matcher(v.asText()).find()) {
            out.add(path + ": does not match " + s.get("pattern").asText());
        }
        if (s.has("minItems") && v.isArray() && v.size() < s.get("minItems").asInt()) out.add(path + ": fewer than " + s.get("minItems") + " items");
        if (s.has("required")) for (JsonNode r : s.get("required")) if (!v.has(r.asText())) out.add(path + ": " + r.asText() + " is required");
        if (s.has("allOf")) for (JsonNode part : s.get("allOf")) check(part, v, path, out);
        if (s.has("anyOf")) {
            boolean any = false;
            for (JsonNode alt : s.get("anyOf")) if (violations(alt, v).isEmpty()) any = true;
            if (!any) out.add(path + ": matches none of anyOf " + s.get("anyOf"));
        }
        if (s.has("properties") && v.isObject()) {
            s.get("properties").properties().forEach(e -> {
                if (v.has(e.getKey())) check(e.getValue(), v.get(e.getKey()), path + "." + e.getKey(), out);
            });
        }
        if (v.isArray()) {
            if (s.has("items")) for (int i = 0; i < v.size(); i++) check(s.get("items"), v.get(i), path + "[" + i + "]", out);
            if (s.has("prefixItems")) {
                for (int i = 0; i < s.get("prefixItems").size(); i++) {
                    if (i >= v.size()) out.add(path + "[" + i + "]: missing");
                    else check(s.get("prefixItems").get(i), v.get(i), path + "[" + i + "]", out);
                }
            }
            if (s.has("contains")) {
                boolean found = false;
                for (JsonNode item : v) if (violations(s.get("contains"), item).isEmpty()) found = true;
                if (!found) out.add(path + ": contains no item matching " + s.get("contains"));
            }
        }
    }

    private static boolean typeOk(String type, JsonNode v) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "boolean" -> v.isBoolean();
            case "number" -> v.isNumber();
            default -> true;
        };
    }
}
