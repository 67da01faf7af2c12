package dev.thrillring.showcases;

import java.util.List;

/**
 * What the public showcase template renders. Every string is shown through the template's HTML
 * escaping, except {@link #jsonLd()} (JSON with {@code <}, {@code >} and {@code &} escaped as
 * {@code \\u003c...}) and the charts' SVG (drawn from numbers only).
 */
public record ShowcasePage(String title, String description, String canonical, String ogImage, String ogImageAlt,
                           boolean noindex, String jsonLd, String name, String platform, String intro,
                           String primaryColor, String accentColor, String logoUrl, boolean dark,
                           List<Card> metrics, List<Card> ranks, List<Study> caseStudies, List<Quote> testimonials,
                           List<Badge> badges, List<Share> shares, String updated, String updatedIso) {

    /** A metric card: the value, its baseline, the change ({@code trend} up, down or flat), the windows, and where it comes from. */
    public record Card(String name, String value, String baseline, String change, String trend, String period,
                       String baselinePeriod, boolean verified, String source, String svg) {}

    /** {@code reworded}: a language model polished the text; its numbers were checked against the records. */
    public record Study(String id, String title, String summary, List<String> body, boolean reworded) {}

    public record Quote(String quote, String author, String role) {}

    public record Badge(String name, String description, String url, long unlocks) {}

    public record Share(String network, String label, String url) {}

    /** The brand colours as a style attribute value (validated {@code #rrggbb} when stored). */
    public String style() {
        return "--brand:" + primaryColor + ";--accent:" + accentColor;
    }
}
