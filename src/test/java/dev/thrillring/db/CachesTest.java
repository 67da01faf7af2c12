package dev.thrillring.db;

import com.github.benmanes.caffeine.cache.Cache;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachesTest {
    @Test
    void shouldExpireEntriesAfterTheirTtlAndDropEveryCacheAtOnce() {
        AtomicLong nanos = new AtomicLong();
        Caches caches = new Caches(nanos::get);
        Cache<String, String> rates = caches.expiring("rates", Duration.ofSeconds(10), 100);
        Cache<String, String> platforms = caches.lasting("platforms", 100);
        rates.put("t1", "50");
        platforms.put("t1", "coreldove");

        nanos.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(rates.getIfPresent("t1")).isEqualTo("50");
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(rates.getIfPresent("t1")).as("expired 10 s after it was stored").isNull();

        rates.put("t2", "70");
        assertThat(caches.sizes()).containsOnlyKeys("platforms", "rates");
        // The listener's resync: whatever changed while notifications were lost is read again.
        caches.clearAll();
        assertThat(rates.getIfPresent("t2")).isNull();
        assertThat(platforms.getIfPresent("t1")).isNull();
    }

    @Test
    void shouldRefuseTwoCachesOfOneName() {
        Caches caches = new Caches();
        caches.lasting("boards", 10);
        assertThatThrownBy(() -> caches.expiring("boards", Duration.ofSeconds(1), 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
