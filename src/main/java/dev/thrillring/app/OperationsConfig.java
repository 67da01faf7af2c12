package dev.thrillring.app;

import java.time.Duration;
import java.util.Map;

/**
 * The operator's settings for self-protection, read from the environment apart from {@link Config}
 * (see the README's table).
 *
 * @param diskMinFreePercent with {@code diskMinFreeBytes}: writes are refused while free disk under
 *                           the embedded database is below the smaller of the two
 * @param diskCheckEvery     how often the free space is looked at
 */
public record OperationsConfig(int diskMinFreePercent, long diskMinFreeBytes, Duration diskCheckEvery) {
    public static final OperationsConfig DEFAULTS = new OperationsConfig(5, 1L << 30, Duration.ofSeconds(1));

    public static OperationsConfig fromEnv(Map<String, String> env) {
        return new OperationsConfig(
                number(env, "THRILLRING_DISK_MIN_FREE_PERCENT", DEFAULTS.diskMinFreePercent()),
                number(env, "THRILLRING_DISK_MIN_FREE_MB", (int) (DEFAULTS.diskMinFreeBytes() >> 20)) * (1L << 20),
                DEFAULTS.diskCheckEvery());
    }

    private static int number(Map<String, String> env, String name, int dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return dflt;
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of at least 0, got '" + v + "'");
        }
    }
}
