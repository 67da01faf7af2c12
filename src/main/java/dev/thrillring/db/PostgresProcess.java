package dev.thrillring.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded PostgreSQL as an operating-system process, seen through its data directory:
 * {@code postmaster.pid} (the running postmaster), {@code postmaster.opts} (how it was started)
 * and zonky's {@code epg-lock} (held by the JVM that started it, released by the kernel when that
 * JVM dies, even by {@code kill -9}). This is what lets a start after a crash stop a postmaster
 * the previous run orphaned, and lets the supervisor start one again after it died.
 */
final class PostgresProcess {
    private static final Logger log = LoggerFactory.getLogger(PostgresProcess.class);
    private static final String LOCK_FILE = "epg-lock";
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Path pgData;

    PostgresProcess(Path pgData) {
        this.pgData = pgData;
    }

    /** The postmaster's process id from {@code postmaster.pid}, when the file is there. */
    Optional<Long> pid() {
        try {
            List<String> lines = Files.readAllLines(pgData.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.getFirst().trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The running postmaster of this data directory, if any. */
    Optional<ProcessHandle> postmaster() {
        return pid().flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive).filter(PostgresProcess::isPostgres);
    }

    private static boolean isPostgres(ProcessHandle p) {
        // On Linux the command is the executable; a reused pid of another program is not ours to stop.
        return p.info().command().map(c -> c.endsWith("/postgres") || c.endsWith("postgres")).orElse(true);
    }

    /**
     * Before a start: if a postmaster still runs on this data directory although no live process
     * holds its lock, the service that started it is gone (killed), so it is stopped (fast
     * shutdown, then a kill after {@code patience}). A lock held by a live process means another
     * service uses this directory: that is refused, never stopped.
     *
     * @return true when an orphan was found and stopped
     */
    boolean stopOrphan(Duration patience) {
        if (!Files.isDirectory(pgData)) return false;
        try (FileOutputStream out = new FileOutputStream(pgData.resolve(LOCK_FILE).toFile(), true)) {
            FileLock lock;
            try {
                lock = out.getChannel().tryLock();
            } catch (OverlappingFileLockException inThisJvm) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("the data directory " + pgData + " is in use by another running ThrillRing");
            }
            try {
                Optional<ProcessHandle> orphan = postmaster();
                if (orphan.isEmpty()) {
                    if (pid().isPresent()) log.info("stale postmaster.pid in {} (its process is gone); PostgreSQL recovers on start", pgData);
                    return false;
                }
                ProcessHandle pm = orphan.get();
                log.warn("PostgreSQL {} on {} outlived the service that started it; stopping it before starting again", pm.pid(), pgData);
                long t0 = System.nanoTime();
                stop(pm, patience);
                log.info("orphaned PostgreSQL {} stopped in {} ms", pm.pid(), (System.nanoTime() - t0) / 1_000_000);
                return true;
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect " + pgData, e);
        }
    }

    /** Fast shutdown (SIGINT: sessions are ended, a checkpoint written), then SIGKILL after {@code patience}. */
    static void stop(ProcessHandle pm, Duration patience) {
        signal(pm.pid(), "INT");
        if (!waitExit(pm, patience)) {
            log.warn("PostgreSQL {} did not stop within {} s; killing it (it recovers from its WAL on the next start)", pm.pid(), patience.toSeconds());
            pm.destroyForcibly();
            waitExit(pm, Duration.ofSeconds(10));
        }
    }

    private static boolean waitExit(ProcessHandle p, Duration d) {
        try {
            p.onExit().get(d.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return !p.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        } catch (java.util.concurrent.ExecutionException e) {
            return !p.isAlive();
        }
    }

    static void signal(long pid, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no kill(1): the JDK only offers SIGTERM, which is a smart shutdown for PostgreSQL
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts the postmaster again as it was started last ({@code postmaster.opts}), with
     * {@code pg_ctl start -w}: returns once it accepts connections, throws when it cannot start
     * (the reason is in {@code postgres.log} beside the data directory and in the exception).
     */
    void start(Duration wait) {
        List<String> opts = startOptions();
        Path bin = Path.of(opts.getFirst()).getParent();
        List<String> args = new ArrayList<>(opts.subList(1, opts.size()));
        int d = args.indexOf("-D");
        if (d >= 0) {
            args.remove(d + 1);
            args.remove(d);
        }
        Path logFile = pgData.resolveSibling("postgres.log");
        List<String> command = new ArrayList<>();
        // As zonky does: PostgreSQL refuses to run as root, so root runs it in a user namespace.
        if ("root".equals(System.getProperty("user.name"))) command.addAll(List.of("unshare", "-U"));
        command.addAll(List.of(bin.resolve("pg_ctl").toString(), "-D", pgData.toString(), "-l", logFile.toString(),
                "-w", "-t", Long.toString(Math.max(1, wait.toSeconds())), "-o", String.join(" ", args), "start"));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(wait.toSeconds() + 10, TimeUnit.SECONDS)) p.destroyForcibly();
            if (p.exitValue() != 0) {
                throw new IllegalStateException("pg_ctl start failed: " + out.replaceAll("\\s+", " ") + lastLogLines(logFile));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run pg_ctl", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting PostgreSQL", e);
        }
    }

    /** The executable and arguments of the last start, from {@code postmaster.opts}. */
    List<String> startOptions() {
        try {
            String line = Files.readString(pgData.resolve("postmaster.opts"), StandardCharsets.UTF_8).trim();
            List<String> parts = new ArrayList<>();
            int firstQuote = line.indexOf('"');
            parts.add((firstQuote < 0 ? line : line.substring(0, firstQuote)).trim());
            Matcher m = QUOTED.matcher(firstQuote < 0 ? "" : line.substring(firstQuote));
            while (m.find()) parts.add(m.group(1));
            return parts;
        } catch (IOException e) {
            throw new UncheckedIOException("no postmaster.opts in " + pgData + ": PostgreSQL never started here", e);
        }
    }

    private static String lastLogLines(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return "; log: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * A {@code sh} process that waits for this JVM to go away (its standard input, a pipe only this
     * JVM writes, reaches end of file when the JVM exits for any reason, {@code kill -9} included)
     * and then asks the postmaster then named in {@code postmaster.pid} for a fast shutdown. The
     * postmaster cannot share the JVM's process group: {@code pg_ctl} makes it a session leader.
     */
    Process startWatchdog() throws IOException {
        String pidFile = pgData.resolve("postmaster.pid").toString().replace("'", "'\\''");
        String script = "cat >/dev/null; p=$(head -n 1 '" + pidFile + "' 2>/dev/null); [ -n \"$p\" ] && kill -INT \"$p\" 2>/dev/null; exit 0";
        return new ProcessBuilder("sh", "-c", script)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
