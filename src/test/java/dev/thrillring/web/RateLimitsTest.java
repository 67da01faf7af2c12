package dev.thrillring.web;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitsTest {

    @Test
    void shouldAllowABurstOfTwoSecondsThenRefuseWithARetryTime() {
        RateLimits limits = new RateLimits();
        for (int i = 0; i < 10; i++) assertThat(limits.take("key:a", 5).allowed()).isTrue();
        RateLimits.Decision refused = limits.take("key:a", 5);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(limits.take("key:b", 5).allowed()).as("another key has its own bucket").isTrue();
    }

    @Test
    void shouldKeepASpentBucketWhenAFloodOfNewClientsFillsTheTable() {
        RateLimits limits = new RateLimits();
        limits.take("ip:victim-of-own-abuse", 1);
        limits.take("ip:victim-of-own-abuse", 1);
        assertThat(limits.take("ip:victim-of-own-abuse", 1).allowed()).isFalse();
        // A client rotating addresses must not be able to wipe the table and with it this bucket.
        long t0 = System.nanoTime();
        for (int i = 0; i < 100_050; i++) limits.take("ip:rotating-" + i, 1);
        boolean freshBurst = limits.take("ip:victim-of-own-abuse", 1).allowed() && limits.take("ip:victim-of-own-abuse", 1).allowed();
        // A kept bucket refills one token per second, so two in a row need two seconds of flood.
        if (System.nanoTime() - t0 < 2_000_000_000L) assertThat(freshBurst).as("the spent bucket was reset").isFalse();
    }
}
