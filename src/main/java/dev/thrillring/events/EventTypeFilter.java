package dev.thrillring.events;

import dev.thrillring.problems.Problem;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The event types an endpoint subscribes to: exact names ({@code referral.converted}), a family
 * ({@code achievement.*}) or everything ({@code *}).
 */
public record EventTypeFilter(List<String> patterns) {
    public static final int MAX_PATTERNS = 50;
    /** Every type. */
    public static final EventTypeFilter ALL = new EventTypeFilter(List.of("*"));
    private static final Pattern SHAPE = Pattern.compile("\\*|[a-z][a-z0-9_]{0,49}\\.(\\*|[a-z][a-z0-9_]{0,49})");

    public EventTypeFilter {
        patterns = List.copyOf(patterns);
    }

    /** Checks the patterns a caller sent; names the field on the first bad one. */
    public static EventTypeFilter parse(List<String> raw) {
        return parse(raw, "event_types");
    }

    /** As {@link #parse(List)}, naming {@code field} in the problem. */
    public static EventTypeFilter parse(List<String> raw, String field) {
        if (raw == null || raw.isEmpty()) throw new Problem.Invalid(field, "must list at least one event type, e.g. \"achievement.*\"");
        if (raw.size() > MAX_PATTERNS) throw new Problem.Invalid(field, "may list at most " + MAX_PATTERNS + " patterns");
        for (int i = 0; i < raw.size(); i++) {
            String p = raw.get(i);
            if (p == null || !SHAPE.matcher(p).matches()) {
                throw new Problem.Invalid(field + "[" + i + "]",
                        "must be an event type (family.name), a family with a wildcard (family.*) or *");
            }
        }
        return new EventTypeFilter(raw.stream().distinct().toList());
    }

    public boolean matches(String type) {
        for (String p : patterns) {
            if (p.equals("*") || p.equals(type)) return true;
            if (p.endsWith(".*") && type.startsWith(p.substring(0, p.length() - 1))) return true;
        }
        return false;
    }
}
