package dev.thrillring.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The service as a separate JVM (the same classes and rule folders as the tests), for faults that a
 * test cannot inflict on its own process: {@code kill -9} of the service, of its watchdog, or both.
 */
public final class ServiceProcess implements AutoCloseable {
    public final Path dataDir;
    public final int port;
    public final Path log;
    private final Map<String, String> extraEnv;
    private Process process;

    public ServiceProcess(Path dataDir, Map<String, String> extraEnv) {
        this.dataDir = dataDir;
        this.extraEnv = extraEnv;
        this.log = dataDir.resolve("service-" + System.nanoTime() + ".log");
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Starts the JVM and returns without waiting. */
    public ServiceProcess start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "dev.thrillring.Main", "serve")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put("THRILLRING_HOST", "127.0.0.1");
        env.put("THRILLRING_PORT", Integer.toString(port));
        env.put("THRILLRING_DATA_DIR", dataDir.toString());
        env.put("THRILLRING_ADMIN_KEY", TestServer.ADMIN_KEY);
        env.put("THRILLRING_RULES_DIR", new File("rules").getAbsolutePath());
        env.put("THRILLRING_TABLES_DIR", new File("decision-tables").getAbsolutePath());
        env.put("THRILLRING_RATE_KEY_PER_SECOND", "100000");
        env.put("THRILLRING_RATE_TENANT_PER_SECOND", "100000");
        env.putAll(extraEnv);
        process = pb.start();
        return this;
    }

    public String baseUrl() { return "http://127.0.0.1:" + port; }

    public Process process() { return process; }

    /** Waits until {@code /ready} answers 200; returns the time it took from the call. */
    public Duration awaitReady(Duration limit) throws Exception {
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < limit.toNanos()) {
            if (!process.isAlive()) throw new AssertionError("service exited with " + process.exitValue() + ": " + tail());
            try {
                if (c.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/ready")).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return Duration.ofNanos(System.nanoTime() - t0);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("service not ready after " + limit.toSeconds() + " s: " + tail());
    }

    /** The embedded postmaster of the data directory, if one runs. */
    public Optional<ProcessHandle> postmaster() {
        try {
            String pid = Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).getFirst().trim();
            return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code kill -9} of the service's JVM, and first of its watchdog when {@code alsoWatchdog}. */
    public void kill9(boolean alsoWatchdog) throws InterruptedException {
        if (alsoWatchdog) {
            process.toHandle().children().filter(h -> h.info().command().map(c -> c.endsWith("sh")).orElse(false))
                    .forEach(ProcessHandle::destroyForcibly);
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** The last lines of the service's log, for failure messages. */
    public String tail() {
        try {
            var lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Stops the service gently (its shutdown hook stops PostgreSQL), forcibly if it hangs. */
    @Override public void close() throws InterruptedException {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
