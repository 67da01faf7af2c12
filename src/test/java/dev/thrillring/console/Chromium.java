package dev.thrillring.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven over the DevTools protocol with the
 * JDK's WebSocket client: navigate, run a line of JavaScript in the page, wait for a condition,
 * and take full-page screenshots at a given width.
 */
final class Chromium implements AutoCloseable {
    static final Path BINARY = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final String session;

    static boolean installed() { return Files.isExecutable(BINARY); }

    Chromium() throws Exception {
        profile = Files.createTempDirectory("chromium-console");
        process = new ProcessBuilder(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--no-first-run", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "about:blank")).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Path port = profile.resolve("DevToolsActivePort");
        // Generous waits: on a loaded 2-core machine a browser start has taken over 30 s.
        for (int i = 0; i < 1200 && !(Files.exists(port) && Files.readAllLines(port).size() >= 2); i++) Thread.sleep(100);
        if (!Files.exists(port)) throw new IllegalStateException("chromium did not open its DevTools port within 120 s");
        List<String> lines = Files.readAllLines(port);
        try {
            socket = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(120)).build().newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(120))
                    .buildAsync(URI.create("ws://127.0.0.1:" + lines.get(0) + lines.get(1)), new Listener()).get(180, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The browser this test started must not outlive it.
            process.destroyForcibly();
            throw e;
        }
        String target = call(null, "Target.createTarget", Map.of("url", "about:blank")).path("targetId").asText();
        session = call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true)).path("sessionId").asText();
        call(session, "Page.enable", Map.of());
        viewport(1280, 800, false);
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                try {
                    JsonNode msg = JSON.readTree(buffer.toString());
                    if (msg.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
                        if (f != null) {
                            if (msg.has("error")) f.completeExceptionally(new IllegalStateException(msg.get("error").toString()));
                            else f.complete(msg.path("result"));
                        }
                    }
                } catch (Exception e) {
                    // an event we do not read
                }
                buffer.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    private JsonNode call(String sessionId, String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", JSON.valueToTree(params));
        if (sessionId != null) msg.put("sessionId", sessionId);
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        socket.sendText(JSON.writeValueAsString(msg), true).get(60, TimeUnit.SECONDS);
        return f.get(180, TimeUnit.SECONDS);
    }

    void viewport(int width, int height, boolean mobile) throws Exception {
        call(session, "Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
    }

    /** Evaluates {@code js} in the page and answers its value. */
    JsonNode eval(String js) throws Exception {
        JsonNode r = call(session, "Runtime.evaluate", Map.of("expression", js, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails")) throw new IllegalStateException("page script failed: " + r.get("exceptionDetails"));
        return r.path("result").path("value");
    }

    /** Waits until {@code js} is true in the page (a navigation may happen meanwhile). */
    void await(String js) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < end) {
            try {
                if (eval("document.readyState === 'complete' && !!(" + js + ")").asBoolean()) return;
            } catch (Exception navigating) {
                // the page is being replaced; ask again
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("timed out waiting for " + js + " on " + eval("location.href"));
    }

    /** Runs {@code js} that leaves the page (a click on a submit button or link) and waits for the next one to load. */
    void andWaitForNextPage(String js) throws Exception {
        eval("window.__old = true; " + js + "; true");
        await("window.__old === undefined");
    }

    void open(String url) throws Exception {
        andWaitForNextPage("location.href = " + JSON.writeValueAsString(url));
    }

    String text() throws Exception { return eval("document.body.innerText").asText(); }

    String url() throws Exception { return eval("location.href").asText(); }

    /** Time spent taking screenshots, so a test can report its pace without them. */
    long screenshotNanos;

    /** Saves the whole page as a PNG at desktop (1280) and phone (390) widths. */
    void screenshots(Path dir, String name) throws Exception {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        shoot(dir.resolve(name + "-desktop.png"), 1280, 800, false);
        shoot(dir.resolve(name + "-phone.png"), 390, 844, true);
        viewport(1280, 800, false);
        screenshotNanos += System.nanoTime() - t0;
    }

    private void shoot(Path file, int width, int height, boolean mobile) throws Exception {
        viewport(width, height, mobile);
        Thread.sleep(150);
        int full = (int) Math.min(6000, Math.max(height, eval("document.documentElement.scrollHeight").asDouble()));
        JsonNode png = call(session, "Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", width, "height", full, "scale", 1)));
        Files.write(file, Base64.getDecoder().decode(png.path("data").asText()));
    }

    @Override
    public void close() throws Exception {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the browser is stopped below either way
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
