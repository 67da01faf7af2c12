package dev.thrillring.showcases;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The 1200x630 PNG a network shows with a shared link (og:image), drawn with Java2D headless:
 * the showcase's name, its three strongest metrics with before and after, in its brand colour.
 */
final class SocialImage {
    static final int WIDTH = 1200;
    static final int HEIGHT = 630;
    private static final int CACHED = 256;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Rendered images by page version (the ETag); least recently used dropped beyond {@link #CACHED}. */
    private final Map<String, byte[]> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, byte[]> e) { return size() > CACHED; }
    };

    byte[] render(PublicShowcases.Published pub) {
        String key = pub.etag();
        synchronized (cache) {
            byte[] hit = cache.get(key);
            if (hit != null) return hit;
        }
        byte[] png = draw(pub);
        synchronized (cache) {
            cache.put(key, png);
        }
        return png;
    }

    static byte[] draw(PublicShowcases.Published pub) {
        Portfolio p = pub.portfolio();
        Color brand = colour(p.customBranding().get("primary_color"), new Color(0x24, 0x57, 0xc5));
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(new Color(0xf7, 0xf8, 0xfa));
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(brand);
            g.fillRect(0, 0, WIDTH, 150);
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 60));
            g.drawString(fit(g, p.portfolioName(), WIDTH - 120), 60, 98);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 26));
            g.drawString("Results on " + p.platform() + " · verified by ThrillRing", 60, 136);

            List<Metric> top = pub.metrics().stream().filter(Metric::verified)
                    .filter(m -> m.key() == null || !m.key().startsWith("percentile:")).limit(3).toList();
            int x = 60;
            int cardWidth = (WIDTH - 120 - 2 * 30) / 3;
            for (Metric m : top) {
                g.setColor(Color.WHITE);
                g.fillRoundRect(x, 200, cardWidth, 330, 24, 24);
                g.setColor(new Color(0xd9, 0xe2, 0xec));
                g.setStroke(new BasicStroke(2));
                g.drawRoundRect(x, 200, cardWidth, 330, 24, 24);
                g.setColor(new Color(0x32, 0x3f, 0x4b));
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 28));
                g.drawString(fit(g, m.metricName(), cardWidth - 48), x + 24, 250);
                g.setColor(brand);
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 72));
                g.drawString(fit(g, Metric.withUnit(m.metricValue(), m.metricUnit()), cardWidth - 48), x + 24, 350);
                g.setColor(new Color(0x52, 0x60, 0x6d));
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 26));
                if (m.comparisonBaseline() != null) {
                    g.drawString(fit(g, "was " + Metric.withUnit(m.comparisonBaseline(), m.metricUnit()) + " in "
                            + CaseStudyWriter.window(m.baselinePeriod()), cardWidth - 48), x + 24, 410);
                }
                g.drawString(fit(g, CaseStudyWriter.window(m.timePeriod()), cardWidth - 48), x + 24, 450);
                x += cardWidth + 30;
            }
            g.setColor(new Color(0x52, 0x60, 0x6d));
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 24));
            g.drawString("Numbers computed from ThrillRing's records", 60, 590);
        } finally {
            g.dispose();
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code s}, cut with an ellipsis to fit {@code width} pixels in the current font. */
    static String fit(Graphics2D g, String s, int width) {
        FontMetrics fm = g.getFontMetrics();
        if (fm.stringWidth(s) <= width) return s;
        String t = s;
        while (!t.isEmpty() && fm.stringWidth(t + "…") > width) t = t.substring(0, t.length() - 1);
        return t + "…";
    }

    static Color colour(Object hex, Color dflt) {
        if (!(hex instanceof String s) || !s.matches("#[0-9a-fA-F]{6}")) return dflt;
        return new Color(Integer.parseInt(s.substring(1), 16));
    }
}
