package dev.thrillring.engine;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Period bucket keys: {@code all}, a day {@code 2026-11-24}, an ISO week {@code 2026-W48}, a month {@code 2026-11}. */
public final class Periods {
    private Periods() {}

    /** The bucket key of each period ({@code all_time}, {@code day}, {@code week}, {@code month}) that holds {@code at}. */
    public static Map<String, String> keysAt(Instant at, ZoneId zone) {
        ZonedDateTime t = at.atZone(zone);
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("all_time", "all");
        keys.put("day", t.toLocalDate().toString());
        keys.put("week", String.format(Locale.ROOT, "%d-W%02d", t.get(IsoFields.WEEK_BASED_YEAR), t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)));
        keys.put("month", String.format(Locale.ROOT, "%d-%02d", t.getYear(), t.getMonthValue()));
        return keys;
    }
}
