package dev.thrillring.showcases;

import java.math.BigDecimal;
import java.util.Locale;

/** Small before/after bar charts drawn on the server as SVG, from numbers only (no text of tenants). */
final class Charts {
    private Charts() {}

    /** Two bars, baseline then current, scaled to the larger; null values draw an empty bar. */
    static String beforeAfter(BigDecimal before, BigDecimal after, boolean lowerIsBetter) {
        double b = before == null ? 0 : Math.abs(before.doubleValue());
        double a = after == null ? 0 : Math.abs(after.doubleValue());
        double max = Math.max(Math.max(a, b), 1e-9);
        int w = 120, h = 48, bar = 44;
        // For ranks a lower number is better: draw the inverse so a higher bar still means better.
        double hb = lowerIsBetter ? (b == 0 ? 0 : h * Math.min(a, b) / b) : h * b / max;
        double ha = lowerIsBetter ? (a == 0 ? 0 : h * Math.min(a, b) / a) : h * a / max;
        return String.format(Locale.ROOT,
                "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-hidden=\"true\" focusable=\"false\">"
                        + "<rect x=\"8\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" rx=\"3\" fill=\"#9aa5b1\"/>"
                        + "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" rx=\"3\" fill=\"var(--brand,#2457c5)\"/>"
                        + "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#52606d\" stroke-width=\"1\"/></svg>",
                w, h + 2, w, h + 2, h - hb + 1, bar, hb, 16 + bar, h - ha + 1, bar, ha, h + 1, w, h + 1);
    }
}
