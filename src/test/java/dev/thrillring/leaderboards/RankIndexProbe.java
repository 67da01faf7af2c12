package dev.thrillring.leaderboards;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/** Benchmark access to the package-private rank index (test scope only). */
public final class RankIndexProbe {
    public record Row(UUID tenant, String user, int score, long second) {}

    private RankIndexProbe() {}

    /** p50 and p99 in microseconds of top-100 slices and rank lookups of random subjects on an index of {@code rows}. */
    public static double[] readLatencies(List<Row> rows, int samples, Random rnd) {
        List<RankIndex.Entry> entries = new ArrayList<>(rows.size());
        for (Row r : rows) entries.add(new RankIndex.Entry(r.tenant(), r.user(), BigDecimal.valueOf(r.score()), Instant.ofEpochSecond(r.second())));
        RankIndex index = new RankIndex(entries);
        long[] top = new long[samples];
        long[] rank = new long[samples];
        for (int i = 0; i < samples; i++) {
            long t = System.nanoTime();
            index.slice(0, 100);
            top[i] = System.nanoTime() - t;
            Row r = rows.get(rnd.nextInt(rows.size()));
            t = System.nanoTime();
            index.rank(r.tenant(), r.user());
            rank[i] = System.nanoTime() - t;
        }
        java.util.Arrays.sort(top);
        java.util.Arrays.sort(rank);
        return new double[]{top[samples / 2] / 1e3, top[samples * 99 / 100] / 1e3, rank[samples / 2] / 1e3, rank[samples * 99 / 100] / 1e3};
    }

    /** Builds an index of {@code rows}, then times {@code updates} random score changes. */
    public static double updatesPerSecond(List<Row> rows, int updates, Random rnd) {
        List<RankIndex.Entry> entries = new ArrayList<>(rows.size());
        for (Row r : rows) entries.add(new RankIndex.Entry(r.tenant(), r.user(), BigDecimal.valueOf(r.score()), Instant.ofEpochSecond(r.second())));
        RankIndex index = new RankIndex(entries);
        long t0 = System.nanoTime();
        for (int i = 0; i < updates; i++) {
            Row r = rows.get(rnd.nextInt(rows.size()));
            index.put(new RankIndex.Entry(r.tenant(), r.user(), BigDecimal.valueOf(rnd.nextInt(100_000)), Instant.ofEpochSecond(2_000_000 + i)));
        }
        return updates / ((System.nanoTime() - t0) / 1e9);
    }
}
