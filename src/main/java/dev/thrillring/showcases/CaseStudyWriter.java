package dev.thrillring.showcases;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes case studies from the data alone: it picks the strongest verified before/after changes
 * and the achievements unlocked, and says them in plain sentences with their numbers and windows.
 * Deterministic (same data, same text), and it never writes a number that is not in its input.
 */
final class CaseStudyWriter {
    static final int MAX_CHANGES = 3;
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("MMMM yyyy", Locale.ENGLISH);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH);

    private CaseStudyWriter() {}

    /** A case study as stored and shown: a title, a summary sentence, paragraphs, and the metrics it rests on. */
    static Map<String, Object> study(String id, String title, String summary, List<String> body, List<String> metricKeys, String period) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("title", title);
        m.put("summary", summary);
        m.put("body", body);
        m.put("metric_keys", metricKeys);
        m.put("period", period);
        m.put("written_by", "template");
        return m;
    }

    static List<Map<String, Object>> write(String tenantName, List<Metric> metrics, List<MetricSources.Badge> badges) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<Metric> improved = strongest(metrics);
        if (!improved.isEmpty()) {
            Metric top = improved.getFirst();
            List<String> body = new ArrayList<>();
            for (Metric m : improved) body.add(sentence(tenantName, m));
            String title = "How " + tenantName + " improved " + lower(top.metricName()) + " in " + window(top.timePeriod());
            String summary = body.getFirst();
            out.add(study("growth", title, summary, body, improved.stream().map(Metric::key).toList(), top.timePeriod()));
        }
        if (!badges.isEmpty()) {
            long unlocks = badges.stream().mapToLong(MetricSources.Badge::unlocks).sum();
            var first = badges.stream().min(Comparator.comparing(MetricSources.Badge::firstUnlockedAt)).orElseThrow();
            List<String> names = badges.stream().limit(5).map(MetricSources.Badge::name).toList();
            String s = tenantName + " has unlocked " + badges.size() + (badges.size() == 1 ? " achievement" : " different achievements")
                    + (unlocks > badges.size() ? " (" + unlocks + " unlocks in all)" : "")
                    + ", the first on " + DAY.format(first.firstUnlockedAt()) + ": " + list(names) + ".";
            List<String> body = new ArrayList<>(List.of(s));
            badges.stream().limit(3).filter(b -> b.description() != null && !b.description().isBlank())
                    .forEach(b -> body.add(b.name() + ": " + b.description().strip()));
            out.add(study("achievements", tenantName + "'s achievements", s, body, List.of("achievements:unlocked"), null));
        }
        return out;
    }

    /** The strongest verified improvements, strongest first. */
    static List<Metric> strongest(List<Metric> metrics) {
        return metrics.stream()
                .filter(m -> m.verified() && m.improved() && m.comparisonBaseline() != null)
                .sorted(Comparator.comparing((Metric m) -> strength(m)).reversed().thenComparing(Metric::metricName))
                .limit(MAX_CHANGES).toList();
    }

    /** Relative change where a baseline exists, else a large value for growth from nothing. */
    private static BigDecimal strength(Metric m) {
        BigDecimal pct = m.changePercent();
        if (pct != null) return pct.abs();
        return BigDecimal.valueOf(1_000_000).add(m.change().abs());
    }

    static String sentence(String tenantName, Metric m) {
        String now = Metric.withUnit(m.metricValue(), m.metricUnit());
        String before = Metric.withUnit(m.comparisonBaseline(), m.metricUnit());
        if ("rank".equals(m.metricUnit())) {
            return tenantName + " moved from " + before + " to " + now + " on " + m.metricName().replaceFirst("^Rank: ", "")
                    + " (" + m.baselinePeriod() + " to " + m.timePeriod() + ").";
        }
        String change = m.changePercent() == null ? "" : " (" + (m.changePercent().signum() > 0 ? "+" : "") + Metric.plain(m.changePercent()) + " %)";
        String from = m.comparisonBaseline().signum() == 0 ? "none recorded in " + window(m.baselinePeriod())
                : before + " in " + window(m.baselinePeriod());
        return m.metricName() + " went from " + from + " to " + now + " in " + window(m.timePeriod()) + change + ".";
    }

    /** {@code 2026-11} -> {@code November 2026}; other windows are shown as they are. */
    static String window(String period) {
        if (period == null) return "";
        try {
            return MONTH.format(YearMonth.parse(period));
        } catch (DateTimeParseException e) {
            return period;
        }
    }

    private static String lower(String s) { return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1); }

    private static String list(List<String> names) {
        if (names.size() == 1) return names.getFirst();
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast();
    }
}
