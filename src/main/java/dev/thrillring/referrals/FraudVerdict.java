package dev.thrillring.referrals;

import java.util.Map;

/**
 * The status a fraud score leads to, by the program's bands (approve below {@code review_at},
 * review up to {@code reject_at}, reject above). Household evidence caps the outcome at review:
 * a family on one device and one network with distinct, real-looking e-mails and paid orders
 * looks like a sock puppet to every other signal, and only a person can tell them apart.
 */
final class FraudVerdict {
    private FraudVerdict() {}

    static String status(double score, double reviewAt, double rejectAt, Map<String, Boolean> signals) {
        if (score > rejectAt) return Boolean.TRUE.equals(signals.get("household")) ? "pending_review" : "rejected";
        return score >= reviewAt ? "pending_review" : "approved";
    }
}
