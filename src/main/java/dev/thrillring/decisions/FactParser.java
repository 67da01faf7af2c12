package dev.thrillring.decisions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.thrillring.web.Json;
import dev.thrillring.engine.model.Fact;
import dev.thrillring.problems.Problem;
import dev.thrillring.problems.Problem.Violation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads one fact or a {@code {"facts": [...]}} batch and checks every field, collecting all
 * violations with their JSON paths so a client can fix a batch in one round trip.
 */
public final class FactParser {
    static final int MAX_BATCH = 1000;
    static final int MAX_ATTRIBUTES = 64;
    static final int MAX_TEXT = 1000;
    static final int MAX_ARRAY = 100;
    /** Clocks drift; a fact from further in the future than this is a client bug. */
    static final Duration MAX_FUTURE = Duration.ofMinutes(15);

    private static final Set<String> FIELDS = Set.of("id", "tenant_id", "user_id", "type", "occurred_at", "attributes");
    private static final Pattern ID = Pattern.compile("[\\x21-\\x7E]{1,128}");
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");
    private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}");
    private static final ObjectMapper CANONICAL = Json.mapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final Clock clock;

    public FactParser(Clock clock) { this.clock = clock; }

    /** The facts of a request body; a batch keeps its order. */
    record Parsed(boolean batch, List<FactInput> facts) {}

    Parsed parse(JsonNode body) {
        if (!body.isObject()) throw new Problem.Invalid("(body)", "must be a fact object or {\"facts\": [...]}");
        if (!body.has("facts")) return new Parsed(false, List.of(parseValid(body, "")));

        List<Violation> errors = new ArrayList<>();
        body.fieldNames().forEachRemaining(n -> {
            if (!n.equals("facts")) errors.add(new Violation(n, "is not a known field of a batch"));
        });
        JsonNode arr = body.get("facts");
        if (!arr.isArray()) throw new Problem.Invalid("facts", "must be an array of facts");
        if (arr.isEmpty() || arr.size() > MAX_BATCH) {
            throw new Problem.Invalid("facts", "must hold 1 to " + MAX_BATCH + " facts, got " + arr.size());
        }
        List<FactInput> facts = new ArrayList<>(arr.size());
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < arr.size(); i++) {
            String prefix = "facts[" + i + "].";
            FactInput f = parseOne(arr.get(i), prefix, errors);
            if (f == null) continue;
            Integer first = seen.putIfAbsent(f.tenantId() + "/" + f.id(), i);
            if (first != null) errors.add(new Violation(prefix + "id", "repeats the id of facts[" + first + "]"));
            facts.add(f);
        }
        if (!errors.isEmpty()) throw new Problem.Invalid(errors);
        return new Parsed(true, facts);
    }

    /**
     * Facts for a dry run: {@code id} and {@code tenant_id} may be left out (the tenant is the
     * route's). Every field is checked as for ingestion.
     */
    public List<Fact> parseDryRun(JsonNode facts, UUID tenant, int max) {
        if (facts == null || !facts.isArray() || facts.isEmpty() || facts.size() > max) {
            throw new Problem.Invalid("facts", "must be an array of 1 to " + max + " facts");
        }
        List<Violation> errors = new ArrayList<>();
        List<Fact> out = new ArrayList<>();
        for (int i = 0; i < facts.size(); i++) {
            JsonNode n = facts.get(i);
            if (n.isObject()) {
                var copy = ((com.fasterxml.jackson.databind.node.ObjectNode) n).deepCopy();
                if (!copy.has("id")) copy.put("id", "dry-run-" + (i + 1));
                if (!copy.has("tenant_id")) copy.put("tenant_id", tenant.toString());
                n = copy;
            }
            FactInput f = parseOne(n, "facts[" + i + "].", errors);
            if (f != null && !f.tenantId().equals(tenant)) errors.add(new Violation("facts[" + i + "].tenant_id", "must be the route's tenant"));
            if (f != null) out.add(f.toFact());
        }
        if (!errors.isEmpty()) throw new Problem.Invalid(errors);
        return out;
    }

    private FactInput parseValid(JsonNode node, String prefix) {
        List<Violation> errors = new ArrayList<>();
        FactInput f = parseOne(node, prefix, errors);
        if (!errors.isEmpty()) throw new Problem.Invalid(errors);
        return f;
    }

    /** Parses one fact, adding its violations to {@code errors}; null when it has any. */
    private FactInput parseOne(JsonNode node, String prefix, List<Violation> errors) {
        int before = errors.size();
        if (!node.isObject()) {
            errors.add(new Violation(prefix.isEmpty() ? "(body)" : prefix.substring(0, prefix.length() - 1), "must be an object"));
            return null;
        }
        node.fieldNames().forEachRemaining(n -> {
            if (!FIELDS.contains(n)) errors.add(new Violation(prefix + n, "is not a known field"));
        });
        String id = text(node, "id", prefix, true, ID, "must be 1 to 128 visible ASCII characters", errors);
        String tenant = text(node, "tenant_id", prefix, true, null, null, errors);
        UUID tenantId = null;
        if (tenant != null) {
            try {
                tenantId = tenant.length() == 36 ? UUID.fromString(tenant) : null;
            } catch (IllegalArgumentException ignored) {
                // reported below
            }
            if (tenantId == null) errors.add(new Violation(prefix + "tenant_id", "must be a UUID"));
        }
        String userId = text(node, "user_id", prefix, false, ID, "must be 1 to 128 visible ASCII characters", errors);
        String type = text(node, "type", prefix, true, TYPE,
                "must start with a lower-case letter and hold up to 64 of a-z, 0-9, '_', '.', '-'", errors);
        Instant occurredAt = occurredAt(node, prefix, errors);
        Map<String, Object> attributes = attributes(node.get("attributes"), prefix + "attributes", errors);
        if (errors.size() > before) return null;
        return new FactInput(prefix, id, tenantId, userId, type, occurredAt, attributes, hash(node));
    }

    private static String text(JsonNode node, String name, String prefix, boolean required, Pattern pattern,
                               String rule, List<Violation> errors) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            if (required) errors.add(new Violation(prefix + name, "is required"));
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new Violation(prefix + name, "must be a string"));
            return null;
        }
        String s = v.textValue();
        if (pattern != null && !pattern.matcher(s).matches()) {
            errors.add(new Violation(prefix + name, rule));
            return null;
        }
        return s;
    }

    private Instant occurredAt(JsonNode node, String prefix, List<Violation> errors) {
        JsonNode v = node.get("occurred_at");
        // PostgreSQL keeps microseconds; a replay must show the same time as the first answer.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        if (v == null || v.isNull()) return now;
        String field = prefix + "occurred_at";
        if (!v.isTextual()) {
            errors.add(new Violation(field, "must be an ISO-8601 time with offset, e.g. 2026-11-24T10:15:30Z"));
            return null;
        }
        try {
            Instant t = OffsetDateTime.parse(v.textValue()).toInstant().truncatedTo(ChronoUnit.MICROS);
            if (t.isAfter(now.plus(MAX_FUTURE))) {
                errors.add(new Violation(field, "is more than " + MAX_FUTURE.toMinutes() + " minutes in the future"));
                return null;
            }
            if (t.getEpochSecond() < 0) {
                errors.add(new Violation(field, "is before 1970"));
                return null;
            }
            return t;
        } catch (DateTimeParseException e) {
            errors.add(new Violation(field, "must be an ISO-8601 time with offset, e.g. 2026-11-24T10:15:30Z"));
            return null;
        }
    }

    private static Map<String, Object> attributes(JsonNode v, String field, List<Violation> errors) {
        if (v == null || v.isNull()) return Map.of();
        if (!v.isObject()) {
            errors.add(new Violation(field, "must be an object"));
            return Map.of();
        }
        if (v.size() > MAX_ATTRIBUTES) {
            errors.add(new Violation(field, "must have at most " + MAX_ATTRIBUTES + " attributes"));
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        v.fields().forEachRemaining(e -> {
            String name = field + "." + e.getKey();
            if (!ATTRIBUTE.matcher(e.getKey()).matches()) {
                errors.add(new Violation(name, "attribute names hold up to 64 of A-Z, a-z, 0-9, '_', '.', '-' and start with a letter or '_'"));
                return;
            }
            JsonNode a = e.getValue();
            if (a.isArray()) {
                if (a.size() > MAX_ARRAY) {
                    errors.add(new Violation(name, "arrays hold at most " + MAX_ARRAY + " values"));
                    return;
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < a.size(); i++) items.add(scalar(a.get(i), name + "[" + i + "]", errors));
                out.put(e.getKey(), items);
            } else {
                Object s = scalar(a, name, errors);
                if (s != null || a.isNull()) out.put(e.getKey(), s);
            }
        });
        return out;
    }

    private static Object scalar(JsonNode a, String name, List<Violation> errors) {
        if (a.isNull()) return null;
        if (a.isBoolean()) return a.booleanValue();
        if (a.isTextual()) {
            if (a.textValue().length() > MAX_TEXT) errors.add(new Violation(name, "text values hold at most " + MAX_TEXT + " characters"));
            return a.textValue();
        }
        if (a.isIntegralNumber()) {
            if (a.canConvertToLong()) return a.longValue();
            errors.add(new Violation(name, "is too large a number"));
            return null;
        }
        if (a.isNumber()) {
            double d = a.doubleValue();
            if (Double.isFinite(d)) return d;
            errors.add(new Violation(name, "is too large a number"));
            return null;
        }
        errors.add(new Violation(name, "must be a string, number, boolean, null or an array of those; nested objects are not supported"));
        return null;
    }

    /** SHA-256 of the fact as posted, with keys in a fixed order. */
    private static String hash(JsonNode node) {
        try {
            Object canonical = CANONICAL.treeToValue(node, Object.class);
            byte[] bytes = CANONICAL.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
