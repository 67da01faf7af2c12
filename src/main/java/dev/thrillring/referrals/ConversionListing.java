package dev.thrillring.referrals;

import dev.thrillring.problems.Problem;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static dev.thrillring.db.schema.Tables.REFERRAL_CONVERSIONS;

/**
 * Pages of conversions, newest first or oldest first, with an opaque cursor (the last row's
 * creation time and id), so a page boundary never skips or repeats a row however many arrive.
 */
final class ConversionListing {
    static final Set<String> STATUSES = Set.of("approved", "pending_review", "rejected", "refunded");

    /** Which conversions: any filter may be null. */
    record Filter(String status, String referrer, Instant from, Instant to) {}

    /** One page: the ids in order, the total matching the filter, and the cursor of the next page (null at the end). */
    record Page(List<UUID> ids, int total, String nextCursor) {}

    Page page(DSLContext tx, UUID tenant, Filter f, String cursor, int limit, boolean newestFirst) {
        Condition where = REFERRAL_CONVERSIONS.TENANT_ID.eq(tenant);
        if (f.status() != null) where = where.and(REFERRAL_CONVERSIONS.STATUS.eq(f.status()));
        if (f.referrer() != null) where = where.and(REFERRAL_CONVERSIONS.REFERRER_USER_ID.eq(f.referrer()));
        if (f.from() != null) where = where.and(REFERRAL_CONVERSIONS.OCCURRED_AT.ge(f.from().atOffset(ZoneOffset.UTC)));
        if (f.to() != null) where = where.and(REFERRAL_CONVERSIONS.OCCURRED_AT.lt(f.to().atOffset(ZoneOffset.UTC)));
        int total = tx.fetchCount(REFERRAL_CONVERSIONS, where);
        Condition after = DSL.trueCondition();
        if (cursor != null) {
            Position p = decode(cursor);
            var row = DSL.row(REFERRAL_CONVERSIONS.CREATED_AT, REFERRAL_CONVERSIONS.ID);
            after = newestFirst ? row.lt(p.at(), p.id()) : row.gt(p.at(), p.id());
        }
        var rows = tx.select(REFERRAL_CONVERSIONS.ID, REFERRAL_CONVERSIONS.CREATED_AT).from(REFERRAL_CONVERSIONS).where(where.and(after))
                .orderBy(newestFirst ? List.of(REFERRAL_CONVERSIONS.CREATED_AT.desc(), REFERRAL_CONVERSIONS.ID.desc())
                                     : List.of(REFERRAL_CONVERSIONS.CREATED_AT.asc(), REFERRAL_CONVERSIONS.ID.asc()))
                .limit(limit + 1).fetch();
        boolean more = rows.size() > limit;
        var shown = more ? rows.subList(0, limit) : rows;
        String next = more ? encode(shown.getLast().value2(), shown.getLast().value1()) : null;
        return new Page(shown.stream().map(r -> r.value1()).toList(), total, next);
    }

    private record Position(OffsetDateTime at, UUID id) {}

    private static String encode(OffsetDateTime at, UUID id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((at.toInstant() + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    private static Position decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
            if (parts.length != 2) throw new IllegalArgumentException();
            return new Position(Instant.parse(parts[0]).atOffset(ZoneOffset.UTC), UUID.fromString(parts[1]));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new Problem.Invalid("cursor", "is not a cursor this service gave out");
        }
    }
}
