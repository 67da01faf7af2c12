package dev.thrillring.faults;

import dev.thrillring.app.OperationsConfig;
import dev.thrillring.support.TestServer;
import dev.thrillring.support.TestServer.Response;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.thrillring.faults.DatabaseRecoveryTest.awaitStatus;
import static dev.thrillring.faults.DatabaseRecoveryTest.fact;
import static dev.thrillring.faults.DatabaseRecoveryTest.metric;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Free disk below the floor: facts and other writes are refused with 507, reads work, the alert
 * metric is raised; once space is freed, writes are accepted again without a restart. The data
 * directory is a 256 MiB tmpfs with the default floor (5 %, at most 1 GiB) when this process may
 * mount one (root); otherwise the machine's disk with a floor set 512 MiB under its free space.
 * Either way the disk is filled by a real allocation ({@code fallocate}), not a simulated probe.
 */
class DiskFloorTest {

    @Test
    void shouldRefuseWritesBelowTheFloorAndAcceptThemOnceSpaceIsFreed() throws Exception {
        Path dir = TestServer.tempDir();
        boolean tmpfs = run("mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", dir.toString());
        try {
            OperationsConfig ops = tmpfs ? OperationsConfig.DEFAULTS
                    : new OperationsConfig(100, Math.max(0, Files.getFileStore(dir).getUsableSpace() - (512L << 20)), Duration.ofMillis(200));
            System.out.println(tmpfs ? "disk floor test on a 256 MiB tmpfs, default floor" : "disk floor test on the machine's disk (mount not permitted)");
            Path ballast = dir.resolve("ballast");
            try (TestServer app = TestServer.start(dir, ops)) {
                String tenant = app.createTenant("Full disk", "coreldove");
                String key = app.issueKey(tenant, "ingest");
                String viewer = app.issueKey(tenant, "viewer");
                assertThat(fact(app, key, tenant, "roomy").status()).isEqualTo(200);

                FileStore store = Files.getFileStore(dir);
                long floor = tmpfs ? Math.min(store.getTotalSpace() / 100 * 5, 1L << 30) : ops.diskMinFreeBytes();
                long fill = store.getUsableSpace() - floor + (tmpfs ? 4L << 20 : 64L << 20);
                assertThat(run("fallocate", "-l", Long.toString(fill), ballast.toString())).as("fallocate").isTrue();

                Response refused = awaitStatusOf(() -> fact(app, key, tenant, "crowded"), 507, Duration.ofSeconds(10));
                assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
                assertThat(refused.json().get("detail").asText()).contains("below the floor");
                assertThat(app.get("/api/v1/tenants/" + tenant + "/decisions/roomy", viewer).status()).as("reads work").isEqualTo(200);
                assertThat(app.get("/ready", null).json().get("checks").get("disk").asText()).isEqualTo("low");
                assertThat(app.get("/health", null).json().get("status").asText()).isEqualTo("degraded");
                assertThat(metric(app.get("/metrics", null).body(), "thrillring_disk_low")).isEqualTo(1);

                Files.delete(ballast);
                awaitStatusOf(() -> fact(app, key, tenant, "crowded"), 200, Duration.ofSeconds(10));
                assertThat(metric(app.get("/metrics", null).body(), "thrillring_disk_low")).isZero();
                assertThat(awaitStatus(app, "/health", 200, Duration.ofSeconds(1)).json().get("status").asText()).isEqualTo("up");
                try (var c = app.ownerConnection(); var rs = c.createStatement().executeQuery(
                        "SELECT count(*) FROM facts WHERE tenant_id = '" + tenant + "'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("the refused fact was not half-written, the retried one was").isEqualTo(2);
                }
            } finally {
                Files.deleteIfExists(ballast);
            }
        } finally {
            if (tmpfs) run("umount", "-l", dir.toString());
        }
    }

    private static Response awaitStatusOf(java.util.function.Supplier<Response> call, int status, Duration limit) throws InterruptedException {
        long t0 = System.nanoTime();
        Response r;
        do {
            r = call.get();
            if (r.status() == status) return r;
            Thread.sleep(100);
        } while (System.nanoTime() - t0 < limit.toNanos());
        throw new AssertionError("expected " + status + " within " + limit.toSeconds() + " s, last: " + r.status() + " " + r.body());
    }

    private static boolean run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
