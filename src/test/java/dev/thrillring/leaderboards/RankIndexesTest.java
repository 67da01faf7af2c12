package dev.thrillring.leaderboards;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RankIndexesTest {
    final AtomicLong now = new AtomicLong(1_000_000);
    final AtomicInteger builds = new AtomicInteger();

    RankIndex of(int subjects) {
        builds.incrementAndGet();
        UUID tenant = UUID.randomUUID();
        List<RankIndex.Entry> entries = new ArrayList<>();
        for (int i = 0; i < subjects; i++) entries.add(new RankIndex.Entry(tenant, "u" + i, BigDecimal.valueOf(i), Instant.EPOCH));
        return new RankIndex(entries);
    }

    @Test
    void shouldDropPeriodsNobodyReadsAndRebuildThemOnTheNextRead() {
        RankIndexes indexes = new RankIndexes(now::get, 60_000, 1_000_000);
        indexes.get("daily|2026-11-22", () -> of(10));
        indexes.get("daily|2026-11-23", () -> of(10));
        now.addAndGet(30_000);
        indexes.get("daily|2026-11-23", () -> of(10)); // read again: stays
        now.addAndGet(40_000);
        indexes.get("daily|2026-11-24", () -> of(10)); // a new day: the 22nd, idle 70 s, goes
        assertThat(indexes.ifHeld("daily|2026-11-22")).isNull();
        assertThat(indexes.ifHeld("daily|2026-11-23")).isNotNull();
        assertThat(builds.get()).isEqualTo(3);
        assertThat(indexes.get("daily|2026-11-22", () -> of(10)).size()).as("rebuilt on demand").isEqualTo(10);
        assertThat(builds.get()).isEqualTo(4);
    }

    @Test
    void shouldKeepTheEntriesHeldUnderTheBoundDroppingTheLeastRecentlyUsed() {
        RankIndexes indexes = new RankIndexes(now::get, Long.MAX_VALUE, 250);
        indexes.get("a", () -> of(100));
        now.incrementAndGet();
        indexes.get("b", () -> of(100));
        now.incrementAndGet();
        indexes.ifHeld("a"); // a is now more recent than b
        now.incrementAndGet();
        indexes.get("c", () -> of(100));
        assertThat(indexes.ifHeld("b")).isNull();
        assertThat(indexes.ifHeld("a")).isNotNull();
        assertThat(indexes.ifHeld("c")).isNotNull();
        // One index over the bound alone is still held: it is being read.
        assertThat(indexes.get("huge", () -> of(400)).size()).isEqualTo(400);
        assertThat(indexes.count()).isEqualTo(1);
    }
}
