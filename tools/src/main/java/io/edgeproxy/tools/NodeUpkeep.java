package io.edgeproxy.tools;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.config.ConfigKey;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.fs.HeldLock;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.RoutingReloader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a node does to its data directory beside serving: hold its lock, and upkeep without replication. */
final class NodeUpkeep {
  private static final Logger logger = LoggerFactory.getLogger(NodeUpkeep.class);

  private NodeUpkeep() {}

  /** {@code <routing.db>.lock} beside routing.db, held while the node runs. */
  static HeldLock lockDataDir(EdgeConfig config) {
    Path file = Path.of(config.node().dbPath().toAbsolutePath() + ".lock");
    try {
      return switch (HeldLock.take(file, "edgeproxy agent")) {
        case HeldLock.Outcome.Taken t -> t.lock();
        case HeldLock.Outcome.Busy b -> throw new IllegalStateException("another edgeproxy agent runs on "
            + config.node().dbPath().toAbsolutePath() + " (" + (b.holder().isEmpty() ? "it holds " + file : b.holder())
            + "); stop it first, or take over from it with edgeproxy agent --take-over (edgeproxy reload):"
            + " two agents on one routing.db would capture its changes under one node id");
      };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + file + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
          + "; the agent's user must be able to write it: a file left by another user, root say, needs a chown)", e);
    }
  }

  /**
   * Without replication, local changes still get their versions as they happen (so change capture
   * never piles up, and versions are ready if replication is turned on later), and registrations
   * whose lease ended long ago are still forgotten.
   */
  static AutoCloseable standalone(EdgeConfig config, RoutingDb db, RoutingReloader reloader) {
    ReplicaStore store = ReplicaStore.open(db, null);
    HybridClock clock = new HybridClock(System::currentTimeMillis);
    reloader.beforeEachLoad(() -> store.captureLocal(clock));
    Duration tombstoneTtl = Duration.ofSeconds(Long.parseLong(ConfigKey.REPLICATION_TOMBSTONE_TTL_SECS.defaultValue()));
    Duration forget = config.deregisterAfter().plus(tombstoneTtl);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lease-upkeep");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(() -> {
      try {
        if (store.forgetExpiredLeases(System.currentTimeMillis(), forget.toMillis(), tombstoneTtl.toMillis()).rows() > 0) {
          reloader.reloadNow();
        }
      } catch (RuntimeException e) {
        logger.warn("cannot forget long-expired registrations: {}", e.getMessage());
      }
    }, 1, 60, TimeUnit.MINUTES);
    return timer::shutdownNow;
  }
}
