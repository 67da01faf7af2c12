package dev.thrillring.referrals;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Referral code text: generated codes use an alphabet without look-alikes (no 0/O, 1/I/L), so a
 * code read aloud or copied by hand still works; all codes match case-insensitively.
 */
final class ReferralCodes {
    static final String ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    static final int LENGTH = 8;
    private static final Pattern VANITY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{2,30}[A-Za-z0-9]");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ReferralCodes() {}

    static String generate() {
        StringBuilder sb = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        return sb.toString();
    }

    /** True when {@code code} may be chosen as a vanity code: 4 to 32 letters, digits and inner dashes. */
    static boolean validVanity(String code) { return VANITY.matcher(code).matches(); }

    /** The form codes are compared in. */
    static String normalise(String code) { return code.trim().toUpperCase(Locale.ROOT); }
}
