package dev.aegis.cli;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --watch}: reloads when the config file changes. Watches the file's directory (editors and config
 * management replace files by renaming, which a watch on the file itself would miss) and waits for writes to
 * settle before reloading once.
 */
final class ConfigWatcher {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final long SETTLE_MILLIS = 300;

    private ConfigWatcher() {
    }

    static void start(Path file, Runnable reload) {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        Path name = absolute.getFileName();
        WatchService watcher;
        try {
            watcher = FileSystems.getDefault().newWatchService();
            dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            log.warn("--watch: cannot watch {}: {}; reload with SIGHUP or POST /admin/reload", dir, e.getMessage());
            return;
        }
        Thread.ofPlatform().daemon().name("aegis-config-watch").start(() -> {
            log.info("watching {} for changes", absolute);
            while (true) {
                try {
                    WatchKey key = watcher.take();
                    boolean ours = false;
                    for (WatchEvent<?> event : key.pollEvents()) {
                        ours |= name.equals(event.context());
                    }
                    key.reset();
                    if (!ours) {
                        continue;
                    }
                    // Let a burst of writes finish, then drain the events it caused.
                    TimeUnit.MILLISECONDS.sleep(SETTLE_MILLIS);
                    WatchKey more;
                    while ((more = watcher.poll()) != null) {
                        more.pollEvents();
                        more.reset();
                    }
                    reload.run();
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }
}
