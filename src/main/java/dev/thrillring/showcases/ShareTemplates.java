package dev.thrillring.showcases;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Share texts per network, written from the portfolio's own numbers, and the networks' share
 * addresses. Links on pages and in API answers go through the tracked redirect
 * ({@code /s/{platform}/{slug}/share/{network}}), which records a {@code social_shares} row first.
 */
final class ShareTemplates {
    /** Networks offered, in order; the value is the {@code social_shares.platform} recorded. */
    static final Map<String, String> NETWORKS = Map.of("linkedin", "linkedin", "x", "twitter", "facebook", "facebook", "email", "email");
    static final List<String> ORDER = List.of("linkedin", "x", "facebook", "email");

    private ShareTemplates() {}

    static String headline(String name, List<Metric> metrics) {
        return CaseStudyWriter.strongest(metrics).stream().findFirst()
                .map(m -> name + ": " + CaseStudyWriter.sentence(name, m))
                .orElse(name + " on ThrillRing: results from real activity.");
    }

    static List<Map<String, Object>> templates(String publicUrl, String platform, String slug, String name, List<Metric> metrics) {
        String pageUrl = pageUrl(publicUrl, platform, slug);
        String headline = headline(name, metrics);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String network : ORDER) {
            String text = switch (network) {
                case "x" -> clip(headline, 250);
                case "email" -> headline + "\n\nSee the numbers: " + pageUrl;
                default -> headline;
            };
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("network", network);
            t.put("text", text);
            t.put("share_url", pageUrl + "/share/" + network);
            t.put("intent_url", intentUrl(network, pageUrl, name, headline));
            out.add(t);
        }
        return out;
    }

    static String pageUrl(String publicUrl, String platform, String slug) {
        return publicUrl + "/s/" + platform + "/" + slug;
    }

    /** Where the network's own share dialog lives, with the page and text filled in. */
    static String intentUrl(String network, String pageUrl, String name, String headline) {
        return switch (network) {
            case "linkedin" -> "https://www.linkedin.com/sharing/share-offsite/?url=" + enc(pageUrl);
            case "x" -> "https://twitter.com/intent/tweet?text=" + enc(clip(headline, 250)) + "&url=" + enc(pageUrl);
            case "facebook" -> "https://www.facebook.com/sharer/sharer.php?u=" + enc(pageUrl);
            case "email" -> "mailto:?subject=" + enc(name + " on ThrillRing") + "&body=" + enc(headline + "\n\n" + pageUrl);
            default -> throw new IllegalArgumentException(network);
        };
    }

    private static String clip(String s, int max) { return s.length() <= max ? s : s.substring(0, max - 1) + "…"; }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"); }
}
