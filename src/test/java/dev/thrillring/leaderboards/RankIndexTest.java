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

    @Test
    void shouldIgnoreALateUpdateOfAnOlderGenerationSoItNeverOverwritesANewerStanding() {
        UUID t = UUID.fromString("00000000-0000-0000-0000-000000000001");
        var rival = new RankIndex.Entry(t, "rival", BigDecimal.valueOf(12), Instant.ofEpochSecond(1), 1);
        RankIndex index = new RankIndex(List.of(rival));
        var newer = new RankIndex.Entry(t, "me", BigDecimal.valueOf(15), Instant.ofEpochSecond(30), 3);
        var older = new RankIndex.Entry(t, "me", BigDecimal.valueOf(10), Instant.ofEpochSecond(20), 2);

        assertThat(index.put(newer)).isTrue();
        // The commit of generation 2 is applied after that of generation 3: it must lose.
        assertThat(index.put(older)).isFalse();
        assertThat(index.entry(t, "me")).isEqualTo(newer);
        assertThat(index.rank(t, "me")).isEqualTo(1);
        assertThat(index.size()).isEqualTo(2);

        var next = new RankIndex.Entry(t, "me", BigDecimal.valueOf(11), Instant.ofEpochSecond(40), 4);
        assertThat(index.put(next)).isTrue();
        assertThat(index.rank(t, "me")).isEqualTo(2);
        assertThat(index.slice(0, 2)).containsExactly(rival, next);
    }
}
