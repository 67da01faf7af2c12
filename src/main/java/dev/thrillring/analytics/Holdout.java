package dev.thrillring.analytics;

import org.jooq.Field;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Who is in a tenant's holdout: the first 4 bytes of md5("tenant:user") as an unsigned number,
 * modulo 10,000, below share x 10,000. Deterministic (a user stays in or out as long as the share
 * does not change), independent of arrival order, and computed the same way in Java (for the
 * decision pipeline) and in SQL (for analytics).
 */
public final class Holdout {
    /** Shares are kept to 4 decimals: one bucket is 0.0001 of the users. */
    public static final int BUCKETS = 10_000;

    private Holdout() {}

    /** The bucket of {@code user} in {@code tenant}, 0 to 9,999. */
    public static int bucket(UUID tenant, String user) {
        try {
            byte[] h = MessageDigest.getInstance("MD5").digest((tenant + ":" + user).getBytes(StandardCharsets.UTF_8));
            long first = ((h[0] & 0xFFL) << 24) | ((h[1] & 0xFFL) << 16) | ((h[2] & 0xFFL) << 8) | (h[3] & 0xFFL);
            return (int) (first % BUCKETS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code user} is held out at {@code share} (a tenant-wide subject, null, never is). */
    public static boolean contains(UUID tenant, String user, BigDecimal share) {
        return user != null && share != null && bucket(tenant, user) < threshold(share);
    }

    static int threshold(BigDecimal share) { return share.movePointRight(4).intValue(); }

    /** {@link #bucket} in SQL, for the rows of {@code user} in {@code tenant}. */
    static Field<Long> bucket(Field<UUID> tenant, Field<String> user) {
        return DSL.field("(('x' || substr(md5({0}::text || ':' || {1}), 1, 8))::bit(32)::bigint % " + BUCKETS + ")", Long.class, tenant, user);
    }
}
