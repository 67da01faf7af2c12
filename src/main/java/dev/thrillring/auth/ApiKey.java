package dev.thrillring.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * API key format {@code trk_<8-char id>_<32-char secret>} ({@code trp_} for platform admin keys,
 * so the lookup knows where to look): the id part is a prefix safe to show
 * and log; only a SHA-256 of the whole key is stored. Keys carry 190 random bits, so a fast
 * hash is enough (a slow password hash protects guessable secrets, not random ones).
 */
public final class ApiKey {
    private static final String ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKey() {}

    public static final String TENANT_PREFIX = "trk_";
    public static final String PLATFORM_PREFIX = "trp_";

    /** A fresh random tenant key. */
    public static String generate() {
        return TENANT_PREFIX + random(8) + "_" + random(32);
    }

    /** A fresh random platform admin key. */
    public static String generatePlatformKey() {
        return PLATFORM_PREFIX + random(8) + "_" + random(32);
    }

    /** The part of a key that may be shown again: {@code trk_XXXXXXXX} or {@code trp_XXXXXXXX}. */
    public static String prefix(String key) {
        return key.length() >= 12 ? key.substring(0, 12) : key;
    }

    public static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares two hex hashes in constant time. */
    public static boolean sameHash(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    private static String random(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        return sb.toString();
    }
}
