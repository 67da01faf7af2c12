package dev.thrillring.leaderboards;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RankIndexTest {

    @Test
    void shouldAgreeWithASortedListThroughThousandsOfUpdates() {
        Random rnd = new Random(7);
        UUID tenant = UUID.randomUUID();
        Map<String, RankIndex.Entry> truth = new HashMap<>();
        List<RankIndex.Entry> initial = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            var e = new RankIndex.Entry(tenant, "u" + i, BigDecimal.valueOf(rnd.nextInt(500)), Instant.ofEpochSecond(rnd.nextInt(10_000)));
            initial.add(e);
            truth.put(e.subject(), e);
        }
        RankIndex index = new RankIndex(initial);
        for (int i = 0; i < 5000; i++) {
            var e = new RankIndex.Entry(tenant, "u" + rnd.nextInt(4000), BigDecimal.valueOf(rnd.nextInt(500)), Instant.ofEpochSecond(rnd.nextInt(10_000)));
            index.put(e);
            truth.put(e.subject(), e);
        }
        List<RankIndex.Entry> sorted = new ArrayList<>(truth.values());
        sorted.sort(RankIndex.ORDER);
        assertThat(index.size()).isEqualTo(sorted.size());
        assertThat(index.slice(0, sorted.size())).isEqualTo(sorted);
        assertThat(index.slice(1234, 10)).isEqualTo(sorted.subList(1234, 1244));
        for (int i = 0; i < sorted.size(); i += 97) {
            assertThat(index.rank(tenant, sorted.get(i).userId())).isEqualTo(i + 1);
        }
        assertThat(index.rank(tenant, "nobody")).isZero();
    }

    @Test
    void shouldBreakTiesByTheEarlierTimeThenTheSubject() {
        UUID t = UUID.fromString("00000000-0000-0000-0000-000000000001");
        var late = new RankIndex.Entry(t, "late", BigDecimal.TEN, Instant.ofEpochSecond(20));
        var early = new RankIndex.Entry(t, "early", BigDecimal.TEN, Instant.ofEpochSecond(10));
        var b = new RankIndex.Entry(t, "b", BigDecimal.ONE, Instant.ofEpochSecond(5));
        var a = new RankIndex.Entry(t, "a", BigDecimal.ONE, Instant.ofEpochSecond(5));
        RankIndex index = new RankIndex(List.of(late, b, early, a));
        assertThat(index.slice(0, 4)).containsExactly(early, late, a, b);
    }
}
