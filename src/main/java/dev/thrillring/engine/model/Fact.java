package dev.thrillring.engine.model;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Something that happened, as a platform posted it. Rules match on it, e.g.
 * {@code Fact(type == "order.shipped", num("value") >= 100)}.
 */
public final class Fact {
    private final String id;
    private final UUID tenantId;
    private final String userId;
    private final String type;
    private final Instant occurredAt;
    private final Map<String, Object> attributes;

    public Fact(String id, UUID tenantId, String userId, String type, Instant occurredAt,
                Map<String, Object> attributes) {
        this.id = id;
        this.tenantId = tenantId;
        this.userId = userId;
        this.type = type;
        this.occurredAt = occurredAt;
        this.attributes = Map.copyOf(attributes);
    }

    public String getId() { return id; }
    public UUID getTenantId() { return tenantId; }
    /** The user inside the tenant, or null when the fact is about the tenant as a whole. */
    public String getUserId() { return userId; }
    public String getType() { return type; }
    public Instant getOccurredAt() { return occurredAt; }
    public Map<String, Object> getAttributes() { return attributes; }

    /** True when the attribute is present and not null. */
    public boolean has(String name) { return attributes.get(name) != null; }

    /** A numeric attribute, or 0 when it is absent or not a number. */
    public double num(String name) {
        return attributes.get(name) instanceof Number n ? n.doubleValue() : 0.0;
    }

    /** A text attribute, or "" when it is absent; numbers and booleans are rendered as text. */
    public String text(String name) {
        Object v = attributes.get(name);
        return v == null ? "" : v.toString();
    }

    /**
     * True when a text attribute contains a match of {@code regex}. Runs in linear time (RE2), so a
     * pattern cannot backtrack without bound; Drools' own {@code matches} operator is not allowed.
     * A pattern that does not compile never matches.
     */
    public boolean textMatches(String name, String regex) {
        if (regex == null || regex.length() > 1_000) return false;
        try {
            return com.google.re2j.Pattern.compile(regex).matcher(text(name)).find();
        } catch (com.google.re2j.PatternSyntaxException e) {
            return false;
        }
    }

    /** A boolean attribute, false when absent. */
    public boolean flag(String name) {
        return attributes.get(name) instanceof Boolean b && b;
    }

    @Override public String toString() { return "Fact[" + type + " " + id + "]"; }
}
