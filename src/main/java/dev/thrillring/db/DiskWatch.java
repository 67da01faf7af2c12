package dev.thrillring.db;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the free space of the file system under the embedded PostgreSQL's data. Below the floor
 * (the smaller of {@code minFreePercent} of the disk and {@code minFreeBytes}) the service refuses
 * new writes, so PostgreSQL never meets a full disk in the middle of one; reads go on. Checked in
 * the background, so a request only reads a field.
 */
public final class DiskWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiskWatch.class);

    /** The last look at the disk: free and total bytes, the floor, and whether free is below it. */
    public record Space(long freeBytes, long totalBytes, long floorBytes, boolean low) {}

    private final Path dir;
    private final int minFreePercent;
    private final long minFreeBytes;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r ->
            Thread.ofPlatform().daemon().name("disk-watch").unstarted(r));
    private volatile Space space;

    public DiskWatch(Path dir, int minFreePercent, long minFreeBytes, MeterRegistry registry) {
        if (minFreePercent < 0 || minFreePercent > 100) throw new IllegalArgumentException("THRILLRING_DISK_MIN_FREE_PERCENT must be 0..100");
        if (minFreeBytes < 0) throw new IllegalArgumentException("THRILLRING_DISK_MIN_FREE_MB must not be negative");
        this.dir = dir;
        this.minFreePercent = minFreePercent;
        this.minFreeBytes = minFreeBytes;
        this.space = new Space(Long.MAX_VALUE, Long.MAX_VALUE, 0, false);
        check();
        registry.gauge("thrillring.disk.free.bytes", this, w -> w.space.freeBytes());
        registry.gauge("thrillring.disk.floor.bytes", this, w -> w.space.floorBytes());
        registry.gauge("thrillring.disk.low", this, w -> w.space.low() ? 1 : 0);
    }

    public void start(Duration every) {
        timer.scheduleWithFixedDelay(this::check, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** As of the last check; never blocks. */
    public Space space() { return space; }

    /** Looks at the disk now. */
    public Space check() {
        try {
            FileStore store = Files.getFileStore(dir);
            long total = store.getTotalSpace();
            long free = store.getUsableSpace();
            long floor = Math.min(total / 100 * minFreePercent, minFreeBytes);
            Space now = new Space(free, total, floor, free < floor);
            Space before = space;
            if (now.low() && !before.low()) {
                log.error("free disk under {} is {} MiB, below the floor of {} MiB: new writes are refused until space is freed",
                        dir, free >> 20, floor >> 20);
            } else if (!now.low() && before.low()) {
                log.info("free disk under {} is {} MiB again (floor {} MiB): writes accepted", dir, free >> 20, floor >> 20);
            }
            space = now;
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read the free space under {}: {}", dir, e.toString());
        }
        return space;
    }

    @Override public void close() { timer.shutdownNow(); }
}
