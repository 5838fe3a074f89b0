package io.edgeproxy.tools;

import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.routing.LimitReport;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.LimitSharing;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.replication.Replicator;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RoutingDb;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hard limits held cluster-wide: every {@link #TICK} this POP sends the others its load report over
 * membership and sets its shares of every hard-limited backend ({@link LimitSharing}); their
 * reports arrive on membership's threads. A malformed report is dropped and named in the log (once
 * a minute at most); the shares keep the last good reports.
 */
final class HardLimitShares implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(HardLimitShares.class);
  static final Duration TICK = Duration.ofSeconds(1);
  /** Three reports missed in a row: the POP counts as cut off. */
  static final Duration SILENT_AFTER = TICK.multipliedBy(3);
  /**
   * How long after start a POP not heard from yet may hold a whole limit, for all this one knows: a
   * live one is heard within a second or two of joining; a dead one holds a restart up this long.
   */
  static final Duration SETTLE = Duration.ofSeconds(5);

  private final Replicator replicator;
  private final LimitSharing sharing;
  private final ScheduledExecutorService ticker;
  private volatile long lastWarnedNanos = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);

  private HardLimitShares(Replicator replicator, RoutingState state, boolean expectPeers, boolean takingOver) {
    this.replicator = replicator;
    // Taking over, the running agent holds this POP's share and the others know it: no settle.
    Duration settle = takingOver ? Duration.ZERO : SETTLE;
    this.sharing = new LimitSharing(replicator.nodeId(), state, new LimitSharing.Timing(TICK, SILENT_AFTER, settle), expectPeers,
        System.nanoTime(), System.currentTimeMillis());
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "limit-shares");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * The POP's load board: what it admits of every hard limit before its first shares. Alone, the
   * whole limit. Starting in a cluster (routing.db remembers other POPs, or seeds are given),
   * nothing until it has heard the others (see {@link LimitSharing}). Taking over from a running
   * agent (a reload), an even split among itself and the POPs remembered, rounded down, so that the
   * reload refuses no client (the running agent still holds this POP's share: see core/DESIGN.md).
   */
  static LoadBoard loadBoard(EdgeConfig config, RoutingDb db, boolean takingOver) {
    if (config.replication() == null) {
      return new LoadBoard();
    }
    int pops = 1 + ReplicaStore.members(db).size();
    if (takingOver) {
      return new LoadBoard(pops);
    }
    return new LoadBoard(pops > 1 || !config.replication().bootstrapPeers().isEmpty() ? 0 : 1);
  }

  static HardLimitShares start(Replicator replicator, RoutingState state, EdgeConfig config, boolean takingOver) {
    HardLimitShares shares = new HardLimitShares(replicator, state,
        !config.replication().bootstrapPeers().isEmpty() || !replicator.knownPops().isEmpty(), takingOver);
    replicator.onLoadReports(shares::received);
    shares.ticker.scheduleAtFixedRate(shares::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    return shares;
  }

  private void received(String text) {
    switch (LimitReport.decode(text)) {
      case LimitReport.Parsed.Ok ok -> sharing.received(ok.report(), System.nanoTime());
      case LimitReport.Parsed.Bad bad -> {
        long now = System.nanoTime();
        if (now - lastWarnedNanos >= TimeUnit.MINUTES.toNanos(1)) {
          lastWarnedNanos = now;
          logger.warn("hard limits: dropped a load report from another POP: {}", bad.problem());
        }
      }
    }
  }

  private void tick() {
    try {
      LimitReport report = sharing.tick(System.nanoTime(), replicator.knownPops());
      replicator.broadcastLoad(report.encode());
    } catch (Throwable e) { // the ticker must not die: a dead one leaves every share as it was
      logger.warn("hard limits: this tick's shares were not updated: {}", e.toString());
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
