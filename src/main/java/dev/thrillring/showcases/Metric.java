package dev.thrillring.showcases;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One metric of a portfolio: a value in a stated window, compared with a baseline window.
 *
 * @param key              the computed metric's stable key ({@code subject:orders}, {@code rank:performance}); null when typed in by hand
 * @param timePeriod       the window the value covers, e.g. {@code 2026-11}
 * @param baselinePeriod   the window the baseline covers, e.g. {@code 2026-10}; null without a baseline
 * @param dataSource       where the number comes from, in words a reader can check
 * @param verificationStatus {@code verified} when ThrillRing computed it from its own records, else {@code unverified}
 */
public record Metric(UUID metricId, String key, String metricName, BigDecimal metricValue, String metricUnit,
                     String timePeriod, BigDecimal comparisonBaseline, String baselinePeriod, String dataSource,
                     String verificationStatus, int displayOrder) {

    public boolean verified() { return "verified".equals(verificationStatus); }

    /** The change from the baseline; null without one. */
    public BigDecimal change() {
        return comparisonBaseline == null || metricValue == null ? null : metricValue.subtract(comparisonBaseline);
    }

    /** The change in percent of the baseline; null without a baseline or when it is zero. */
    public BigDecimal changePercent() {
        if (comparisonBaseline == null || metricValue == null || comparisonBaseline.signum() == 0) return null;
        return metricValue.subtract(comparisonBaseline).multiply(BigDecimal.valueOf(100))
                .divide(comparisonBaseline.abs(), 1, RoundingMode.HALF_UP);
    }

    /** For a rank lower is better. */
    public boolean improved() {
        BigDecimal c = change();
        if (c == null) return false;
        return "rank".equals(metricUnit) || (key != null && key.startsWith("percentile:")) ? c.signum() < 0 : c.signum() > 0;
    }

    /** A number as people write it: no trailing zeros, thousands not grouped (unambiguous in any locale). */
    public static String plain(BigDecimal v) {
        if (v == null) return "–";
        BigDecimal s = v.stripTrailingZeros();
        return (s.scale() < 0 ? s.setScale(0) : s).toPlainString();
    }

    /** The value with its unit, for pages and share texts. */
    public static String withUnit(BigDecimal v, String unit) {
        if (v == null) return "–";
        return switch (unit == null ? "" : unit) {
            case "percentage" -> plain(v) + " %";
            case "currency" -> plain(v.setScale(2, RoundingMode.HALF_UP));
            case "rank" -> "#" + plain(v);
            default -> plain(v);
        };
    }

    /** A row as stored, with when it was last written (for the page's Last-Modified). */
    public record Stored(Metric metric, OffsetDateTime updatedAt) {}
}
