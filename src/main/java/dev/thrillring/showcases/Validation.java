package dev.thrillring.showcases;

import dev.thrillring.web.Json;
import dev.thrillring.problems.Problem;
import dev.thrillring.problems.Problem.Violation;

import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static dev.thrillring.db.schema.Tables.SHOWCASE_PORTFOLIOS;

/** Limits and formats of what tenants write into a showcase; each failure names its field. */
final class Validation {
    private static final Pattern COLOUR = Pattern.compile("#[0-9a-fA-F]{6}");
    private static final Pattern PERIOD = Pattern.compile("[\\p{L}\\p{N} ._:/()-]{1,100}");
    private static final Set<String> VISIBILITY = Set.of("public", "unlisted", "private");
    private static final Set<String> UNITS = Set.of("percentage", "currency", "count", "ratio");
    private static final BigDecimal MAX = new BigDecimal("9999999999999.99");

    private Validation() {}

    static UUID uuid(String raw, String field, List<Violation> v) {
        if (raw == null) {
            v.add(new Violation(field, "is required"));
            return null;
        }
        try {
            if (raw.length() == 36) return UUID.fromString(raw);
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        v.add(new Violation(field, "must be a UUID"));
        return null;
    }

    static Map<org.jooq.Field<?>, Object> update(ShowcaseService.Update u) {
        var p = SHOWCASE_PORTFOLIOS;
        List<Violation> v = new ArrayList<>();
        Map<org.jooq.Field<?>, Object> changes = new LinkedHashMap<>();
        if (u.portfolioName() != null) {
            text(u.portfolioName(), "portfolio_name", 1, 120, v);
            changes.put(p.PORTFOLIO_NAME, u.portfolioName().strip());
        }
        if (u.description() != null) {
            text(u.description(), "description", 0, 2000, v);
            changes.put(p.DESCRIPTION, u.description().strip());
        }
        if (u.visibility() != null) {
            if (!VISIBILITY.contains(u.visibility())) v.add(new Violation("visibility", "must be public, unlisted or private"));
            changes.put(p.VISIBILITY, u.visibility());
        }
        if (u.slug() != null && !ShowcaseService.SLUG.matcher(u.slug()).matches()) {
            v.add(new Violation("slug", "must be 1 to 80 of a-z, 0-9 and '-', not starting or ending with '-'"));
        }
        if (u.includeTestimonials() != null) changes.put(p.INCLUDE_TESTIMONIALS, u.includeTestimonials());
        if (u.customBranding() != null) {
            var b = u.customBranding();
            Map<String, Object> branding = new LinkedHashMap<>();
            colour(b.primaryColor(), "custom_branding.primary_color", v, branding, "primary_color");
            colour(b.accentColor(), "custom_branding.accent_color", v, branding, "accent_color");
            if (b.logoUrl() != null) {
                if (!httpsUrl(b.logoUrl())) v.add(new Violation("custom_branding.logo_url", "must be an https URL of at most 500 characters"));
                branding.put("logo_url", b.logoUrl());
            }
            if (b.theme() != null) {
                if (!Set.of("light", "dark").contains(b.theme())) v.add(new Violation("custom_branding.theme", "must be light or dark"));
                branding.put("theme", b.theme());
            }
            changes.put(p.CUSTOM_BRANDING, Json.jsonb(branding));
        }
        if (!v.isEmpty()) throw new Problem.Invalid(v);
        return changes;
    }

    static void testimonial(ShowcaseService.TestimonialInput in) {
        List<Violation> v = new ArrayList<>();
        text(in.quote(), "quote", 1, 1000, v);
        text(in.author(), "author", 1, 120, v);
        if (in.role() != null) text(in.role(), "role", 0, 120, v);
        if (in.company() != null) text(in.company(), "company", 0, 120, v);
        if (!v.isEmpty()) throw new Problem.Invalid(v);
    }

    static void metric(ShowcaseService.MetricInput in, boolean creating) {
        List<Violation> v = new ArrayList<>();
        if (creating || in.metricName() != null) text(in.metricName(), "metric_name", 1, 120, v);
        if (creating && in.metricValue() == null) v.add(new Violation("metric_value", "is required"));
        number(in.metricValue(), "metric_value", v);
        number(in.comparisonBaseline(), "comparison_baseline", v);
        if (in.metricUnit() != null && !UNITS.contains(in.metricUnit())) v.add(new Violation("metric_unit", "must be percentage, currency, count or ratio"));
        if (in.timePeriod() != null && !PERIOD.matcher(in.timePeriod()).matches()) v.add(new Violation("time_period", "must be 1 to 100 letters, digits, spaces or ._:/()-"));
        if (in.baselinePeriod() != null && !PERIOD.matcher(in.baselinePeriod()).matches()) v.add(new Violation("baseline_period", "must be 1 to 100 letters, digits, spaces or ._:/()-"));
        if (in.dataSource() != null) text(in.dataSource(), "data_source", 1, 255, v);
        if (in.displayOrder() != null && (in.displayOrder() < 0 || in.displayOrder() > 10_000)) v.add(new Violation("display_order", "must be between 0 and 10000"));
        if (!v.isEmpty()) throw new Problem.Invalid(v);
    }

    private static void number(BigDecimal n, String field, List<Violation> v) {
        if (n != null && (n.abs().compareTo(MAX) > 0 || n.scale() > 2)) v.add(new Violation(field, "must have at most 13 digits and 2 decimals"));
    }

    private static void text(String s, String field, int min, int max, List<Violation> v) {
        if (s == null) {
            v.add(new Violation(field, "is required"));
        } else if (s.strip().length() < min || s.length() > max) {
            v.add(new Violation(field, "must be " + min + " to " + max + " characters"));
        } else if (s.chars().anyMatch(c -> c < 0x20 && c != '\n')) {
            v.add(new Violation(field, "must not contain control characters"));
        }
    }

    private static void colour(String c, String field, List<Violation> v, Map<String, Object> out, String key) {
        if (c == null) return;
        if (!COLOUR.matcher(c).matches()) v.add(new Violation(field, "must be a colour #rrggbb"));
        out.put(key, c.toLowerCase(java.util.Locale.ROOT));
    }

    private static boolean httpsUrl(String s) {
        if (s.length() > 500) return false;
        try {
            URI u = URI.create(s);
            return "https".equals(u.getScheme()) && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
