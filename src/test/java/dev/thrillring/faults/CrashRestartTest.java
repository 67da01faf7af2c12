package dev.thrillring.faults;

import dev.thrillring.support.ServiceProcess;
import dev.thrillring.support.TestServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of the service: its watchdog stops the embedded PostgreSQL; and when the watchdog
 * is killed too, the next start finds the orphaned postmaster, stops it and is ready within 15 s.
 */
class CrashRestartTest {

    @Test
    void shouldStopTheOrphanedPostgresAndBeReadyQuicklyAfterKill9() throws Exception {
        var data = TestServer.tempDir();
        try (ServiceProcess first = new ServiceProcess(data, Map.of()).start()) {
            first.awaitReady(Duration.ofSeconds(120));
            ProcessHandle orphan = first.postmaster().orElseThrow();
            first.kill9(true);
            Thread.sleep(300);
            assertThat(orphan.isAlive()).as("with its watchdog killed too, PostgreSQL outlives the service").isTrue();

            Duration afterOrphan;
            try (ServiceProcess second = new ServiceProcess(data, Map.of()).start()) {
                afterOrphan = second.awaitReady(Duration.ofSeconds(90));
                System.out.printf("after kill -9 (service and watchdog): ready in %d ms, orphan stopped%n", afterOrphan.toMillis());
                assertThat(orphan.isAlive()).as("the orphaned postmaster was stopped").isFalse();
                var stopped = java.util.regex.Pattern.compile("orphaned PostgreSQL \\d+ stopped in (\\d+) ms").matcher(second.tail());
                assertThat(stopped.find()).as("the start reports the orphan it stopped:\n" + second.tail()).isTrue();
                // The orphan costs its fast shutdown (a checkpoint), never PostgreSQL's 60 s lock-file wait.
                assertThat(Long.parseLong(stopped.group(1))).isLessThan(10_000);
                assertThat(second.tail()).doesNotContain("lock file");

                ProcessHandle pm = second.postmaster().orElseThrow();
                long t0 = System.nanoTime();
                second.kill9(false);
                pm.onExit().get(15, TimeUnit.SECONDS);
                System.out.printf("after kill -9 (service only): the watchdog stopped PostgreSQL in %d ms%n",
                        (System.nanoTime() - t0) / 1_000_000);
            }
            try (ServiceProcess third = new ServiceProcess(data, Map.of()).start()) {
                Duration normal = third.awaitReady(Duration.ofSeconds(90));
                System.out.printf("start after the watchdog stopped PostgreSQL (a normal start): ready in %d ms%n", normal.toMillis());
                assertThat(third.tail()).doesNotContain("lock file").doesNotContain("outlived the service");
                // Absolute start times depend on the machine's load (Drools compiles the platform bases
                // at start); the figures on an idle machine are in docs/operations.md.
                System.out.printf("start after an orphan %d ms vs a normal start %d ms%n", afterOrphan.toMillis(), normal.toMillis());
            }
        }
    }
}
