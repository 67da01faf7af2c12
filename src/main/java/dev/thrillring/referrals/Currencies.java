package dev.thrillring.referrals;

import java.util.Currency;
import java.util.Map;

/**
 * A program's currency (ISO 4217, {@code USD} unless set) and its minor unit: rewards are rounded
 * to it. Amounts are stored with two decimals, so currencies with three (BHD, KWD) round to two.
 */
final class Currencies {
    static final String DEFAULT = "USD";

    private Currencies() {}

    static boolean known(String code) {
        try {
            return code != null && code.length() == 3 && Currency.getInstance(code) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Decimals of the program's currency, at most 2. */
    static int digits(Map<?, ?> rewardStructure) {
        String code = rewardStructure.get("currency") instanceof String s && known(s) ? s : DEFAULT;
        int d = Currency.getInstance(code).getDefaultFractionDigits();
        return d < 0 ? 2 : Math.min(2, d);
    }
}
