package dev.thrillring.badges;

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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Badge images, and "baking": an Open Badges 3.0 credential carried inside a PNG as an
 * {@code iTXt} chunk with the keyword {@code openbadgecredential} (uncompressed, the compact JWT
 * as its text), placed before {@code IEND}.
 */
public final class BakedPng {
    public static final String KEYWORD = "openbadgecredential";
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private BakedPng() {}

    /** A 400x400 round badge with the achievement's initials. */
    static byte[] image(String name, String platform) {
        BufferedImage img = new BufferedImage(400, 400, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            Color c = Color.getHSBColor((Math.floorMod(name.hashCode(), 360)) / 360f, 0.55f, 0.75f);
            g.setColor(c);
            g.fillOval(10, 10, 380, 380);
            g.setColor(Color.WHITE);
            g.setStroke(new BasicStroke(10));
            g.drawOval(30, 30, 340, 340);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 130));
            String initials = initials(name);
            FontMetrics fm = g.getFontMetrics();
            g.drawString(initials, 200 - fm.stringWidth(initials) / 2, 245);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 28));
            fm = g.getFontMetrics();
            g.drawString(platform, 200 - fm.stringWidth(platform) / 2, 320);
        } finally {
            g.dispose();
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String initials(String name) {
        StringBuilder sb = new StringBuilder();
        for (String w : name.trim().split("\\s+")) {
            if (!w.isEmpty() && Character.isLetterOrDigit(w.codePointAt(0))) sb.appendCodePoint(Character.toUpperCase(w.codePointAt(0)));
            if (sb.length() >= 2) break;
        }
        return sb.isEmpty() ? "★" : sb.toString();
    }

    /** {@code png} with the credential added as an iTXt chunk before IEND. */
    public static byte[] bake(byte[] png, String compactJwt) {
        checkSignature(png);
        int iend = png.length - 12;
        if (!"IEND".equals(new String(png, iend + 4, 4, StandardCharsets.US_ASCII))) throw new IllegalArgumentException("no IEND chunk at the end");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(KEYWORD.getBytes(StandardCharsets.ISO_8859_1));
        data.write(0);          // keyword terminator
        data.write(0);          // compression flag: not compressed
        data.write(0);          // compression method
        data.write(0);          // empty language tag, terminated
        data.write(0);          // empty translated keyword, terminated
        data.writeBytes(compactJwt.getBytes(StandardCharsets.UTF_8));
        byte[] chunk = chunk("iTXt", data.toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream(png.length + chunk.length);
        out.write(png, 0, iend);
        out.writeBytes(chunk);
        out.write(png, iend, 12);
        return out.toByteArray();
    }

    /** The credential baked into {@code png}, if any. */
    public static Optional<String> unbake(byte[] png) {
        checkSignature(png);
        ByteBuffer b = ByteBuffer.wrap(png);
        b.position(8);
        while (b.remaining() >= 12) {
            int length = b.getInt();
            String type = new String(png, b.position(), 4, StandardCharsets.US_ASCII);
            int start = b.position() + 4;
            if (length < 0 || start + length + 4 > png.length) throw new IllegalArgumentException("truncated PNG chunk " + type);
            if (type.equals("iTXt")) {
                int nul = indexOf(png, start, start + length);
                if (nul > 0 && new String(png, start, nul - start, StandardCharsets.ISO_8859_1).equals(KEYWORD) && png[nul + 1] == 0) {
                    int lang = indexOf(png, nul + 3, start + length);
                    int translated = indexOf(png, lang + 1, start + length);
                    return Optional.of(new String(png, translated + 1, start + length - translated - 1, StandardCharsets.UTF_8));
                }
            }
            b.position(start + length + 4);
        }
        return Optional.empty();
    }

    private static int indexOf(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) if (a[i] == 0) return i;
        return -1;
    }

    private static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        b.put(t).put(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static void checkSignature(byte[] png) {
        if (png.length < 20) throw new IllegalArgumentException("not a PNG");
        for (int i = 0; i < 8; i++) if (png[i] != SIGNATURE[i]) throw new IllegalArgumentException("not a PNG");
    }
}
