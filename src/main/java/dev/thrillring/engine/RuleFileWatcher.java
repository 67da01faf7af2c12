package dev.thrillring.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Development mode ({@code THRILLRING_WATCH_RULES=true}): watches {@code rules/<platform>} and
 * {@code decision-tables/<platform>} and recompiles a platform's base when one of its files
 * changes. A change that does not compile is logged with its located errors and the running
 * rule set keeps serving.
 */
public final class RuleFileWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RuleFileWatcher.class);
    /** Editors write a file in several steps; changes within this window count as one. */
    private static final long SETTLE_MS = 300;

    private final WatchService watcher;
    private final Map<WatchKey, String> platformOf = new HashMap<>();
    private final Consumer<String> reload;
    private final Thread thread;
    private volatile boolean running = true;

    public RuleFileWatcher(PlatformRuleFiles files, List<String> platforms, Consumer<String> reload) {
        this.reload = reload;
        try {
            this.watcher = FileSystems.getDefault().newWatchService();
            for (String p : platforms) {
                for (Path dir : List.of(files.rulesDir().resolve(p), files.tablesDir().resolve(p))) {
                    if (Files.isDirectory(dir)) {
                        platformOf.put(dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                                StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE), p);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch the rule folders", e);
        }
        this.thread = Thread.ofPlatform().daemon().name("rule-file-watcher").unstarted(this::run);
    }

    public void start() {
        thread.start();
        log.info("watching rule folders of {} platforms for changes", platformOf.size() == 0 ? 0 : platformOf.values().stream().distinct().count());
    }

    private void run() {
        while (running) {
            try {
                WatchKey key = watcher.poll(500, TimeUnit.MILLISECONDS);
                if (key == null) continue;
                Thread.sleep(SETTLE_MS);
                java.util.Set<String> changed = new java.util.HashSet<>();
                for (WatchKey k = key; k != null; k = watcher.poll()) {
                    k.pollEvents();
                    k.reset();
                    String p = platformOf.get(k);
                    if (p != null) changed.add(p);
                }
                for (String p : changed) {
                    try {
                        reload.accept(p);
                        log.info("reloaded rules of platform {} after a file change", p);
                    } catch (RuleSetInvalid e) {
                        log.error("rules of platform {} not reloaded; the previous ones keep serving:\n  {}", p,
                                String.join("\n  ", e.errors().stream().map(Object::toString).toList()));
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (java.nio.file.ClosedWatchServiceException e) {
                return;
            }
        }
    }

    @Override public void close() throws IOException {
        running = false;
        thread.interrupt();
        watcher.close();
    }
}
