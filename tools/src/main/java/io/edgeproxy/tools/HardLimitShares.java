package io.edgeproxy.tools;

import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.routing.LimitReport;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.LimitSharing;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.replication.Replicator;
import io.edgeproxy.replication.protocol.WarnOncePerMinute;
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
  static final Duration SILENT_AFTER = Duration.ofMillis(3 * TICK.toMillis()); // not multipliedBy: BigDecimal, slow to load at start
  /** How long a POP with seeds but no peer known yet keeps its starting split before it counts as alone. */
  static final Duration SETTLE = Duration.ofSeconds(5);

  private final Replicator replicator;
  private final LimitSharing sharing;
  private final ScheduledExecutorService ticker;
  private final WarnOncePerMinute warnings = new WarnOncePerMinute(logger);

  private HardLimitShares(Replicator replicator, RoutingState state, boolean expectPeers) {
    this.replicator = replicator;
    this.sharing = new LimitSharing(replicator.nodeId(), state, new LimitSharing.Timing(TICK, SILENT_AFTER, SETTLE), expectPeers,
        System.nanoTime(), System.currentTimeMillis());
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "limit-shares");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * The POP's load board: what it admits of every hard limit before its first shares. Alone, the
   * whole limit. In a cluster, an even split, rounded down, among itself and the POPs routing.db
   * remembers (or its seeds, when it remembers none yet): what the others reserve for a POP they do
   * not hear from (see core/DESIGN.md for what that leaves uncovered after a restart).
   */
  static LoadBoard loadBoard(EdgeConfig config, RoutingDb db) {
    if (config.replication() == null) {
      return new LoadBoard();
    }
    return new LoadBoard(1 + Math.max(ReplicaStore.members(db).size(), config.replication().bootstrapPeers().size()));
  }

  static HardLimitShares start(Replicator replicator, RoutingState state, EdgeConfig config) {
    HardLimitShares shares = new HardLimitShares(replicator, state,
        !config.replication().bootstrapPeers().isEmpty() || !replicator.knownPops().isEmpty());
    replicator.onLoadReports(shares::received);
    shares.ticker.scheduleAtFixedRate(shares::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    return shares;
  }

  private void received(String text) {
    switch (LimitReport.decode(text)) {
      case LimitReport.Parsed.Ok ok -> sharing.received(ok.report(), System.nanoTime());
      case LimitReport.Parsed.Bad bad -> warnings.warn("bad report", "hard limits: dropped a load report from another POP: "
          + bad.problem());
    }
  }

  private void tick() {
    try {
      LimitReport report = sharing.tick(System.nanoTime(), replicator.knownPops());
      replicator.broadcastLoad(report.encode());
    } catch (Throwable e) { // the ticker must not die: a dead one leaves every share as it was
      warnings.warn("tick", "hard limits: this tick's shares were not updated: " + e);
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
