package dev.thrillring.referrals;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * E-mail identity: whether a referee's address is the referrer's own under an alias, and whether
 * an address looks like a person's rather than a generated one. Both take normal forms
 * ({@link EmailAddresses#normalise}), so Gmail dots and {@code +tags} are already gone.
 */
final class IdentitySignals {
    /** A run of four or more digits, or a long mixed letter-digit token: the marks of generated local parts. */
    private static final Pattern GENERATED = Pattern.compile(".*\\d{4,}.*|.*[a-z]\\d{2,}[a-z].*|[a-z0-9]{16,}");
    private static final Pattern LETTERS = Pattern.compile(".*[a-z]{3,}.*");

    private IdentitySignals() {}

    /** True when the referee's normalised address is the referrer's (given when the code was made). */
    static boolean aliasOfReferrer(String refereeEmail, String referrerEmail) {
        return refereeEmail != null && referrerEmail != null && refereeEmail.equals(referrerEmail);
    }

    /**
     * A real-looking address: not disposable, a local part with a run of letters and without the
     * long digit runs or letter-digit-letter mixes that address generators produce. A heuristic
     * used only as household evidence (it can keep a conversion from outright rejection, never
     * approve one); a determined fraudster can pick name-like addresses, and then gets review.
     */
    static boolean realLooking(String email) {
        if (email == null || EmailAddresses.disposable(email)) return false;
        String local = email.substring(0, email.lastIndexOf('@')).toLowerCase(Locale.ROOT);
        return LETTERS.matcher(local).matches() && !GENERATED.matcher(local).matches();
    }
}
