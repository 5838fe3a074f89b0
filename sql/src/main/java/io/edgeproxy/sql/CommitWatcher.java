package io.edgeproxy.sql;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells when routing.db may have a new commit, by anyone (this process, {@code sqlite3}, another
 * program): a commit writes the file's write-ahead log (or, outside WAL mode, the file or its
 * journal), and the kernel reports that (inotify on Linux) without any polling. Events come in
 * bursts; the callback should be cheap and idempotent (it only schedules a look).
 *
 * <p>In WAL mode a commit becomes visible to readers only when the WAL index, in shared memory, is
 * updated, and the kernel reports no event for that; so after a write the callback also runs when
 * the files have been quiet for 1, then 5, then 25 ms ({@link #FOLLOW_UPS}). Under a steady stream of
 * writes it runs once per write event (the caller coalesces); an idle database costs nothing.
 */
public final class CommitWatcher implements Closeable {
  private static final Logger logger = LoggerFactory.getLogger(CommitWatcher.class);
  /** Quiet periods after a write at whose end the callback runs again. */
  static final List<Duration> FOLLOW_UPS = List.of(Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofMillis(20));

  private final WatchService service;
  private final Thread thread;

  private CommitWatcher(WatchService service, Thread thread) {
    this.service = service;
    this.thread = thread;
  }

  /**
   * Watches the database at {@code db}; runs {@code onChange} on the watcher's thread after each
   * write to it. Empty when the file system cannot be watched (the caller then polls).
   */
  public static Optional<CommitWatcher> start(Path db, Runnable onChange) {
    Path file = db.toAbsolutePath();
    Path dir = file.getParent();
    String name = file.getFileName().toString();
    Set<String> names = Set.of(name, name + "-wal", name + "-journal");
    WatchService service;
    try {
      service = dir.getFileSystem().newWatchService();
      dir.register(service, ENTRY_MODIFY, ENTRY_CREATE);
    } catch (IOException | UnsupportedOperationException e) {
      logger.warn("cannot watch {} for commits ({}); polling instead", dir, e.getMessage());
      return Optional.empty();
    }
    Thread thread = new Thread(() -> run(service, names, onChange), "routing-db-watch");
    thread.setDaemon(true);
    thread.start();
    return Optional.of(new CommitWatcher(service, thread));
  }

  private static void run(WatchService service, Set<String> names, Runnable onChange) {
    try {
      while (true) {
        if (!concerns(service.take(), names)) {
          continue;
        }
        // Look now, and again when the files have been quiet for each of FOLLOW_UPS in turn: the
        // write that woke us may come just before its commit is visible. A write meanwhile starts over.
        notify(onChange);
        for (int i = 0; i < FOLLOW_UPS.size(); i++) {
          WatchKey next = service.poll(FOLLOW_UPS.get(i).toNanos(), TimeUnit.NANOSECONDS);
          if (next != null && concerns(next, names)) {
            i = -1;
          }
          notify(onChange);
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // closed: done
    }
  }

  private static boolean concerns(WatchKey key, Set<String> names) {
    boolean ours = false;
    for (WatchEvent<?> event : key.pollEvents()) {
      ours |= event.kind() == OVERFLOW || event.context() instanceof Path p && names.contains(p.toString());
    }
    key.reset();
    return ours;
  }

  private static void notify(Runnable onChange) {
    try {
      onChange.run();
    } catch (RuntimeException e) {
      logger.warn("routing.db change callback failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException e) {
      logger.debug("closing the routing.db watcher: {}", e.toString());
    }
    thread.interrupt();
  }
}
