package io.edgeproxy.tools.admin;

import io.edgeproxy.replication.ReplicationStatus;
import io.edgeproxy.replication.Replicator;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Replication as this POP sees it: changes applied, ignored, refused and shipped, routing.db
 * failures, and per peer ({@code peer} label: every member ever seen, connected or not) whether
 * its change-stream is up, how far behind it this POP is, and its clock. One status read per scrape.
 */
final class ReplicationMetrics {
  private final Replicator replicator;
  private final MeterRows connected;
  private final MeterRows lag;
  private final MeterRows behind;
  private final MeterRows offset;
  private final MeterRows skewed;
  private volatile @Nullable ReplicationStatus status; // as of the last scrape

  ReplicationMetrics(MeterRegistry registry, Replicator replicator) {
    this.replicator = replicator;
    Gauge.builder("edge.replication.versions", this, m -> m.read(ReplicationStatus::versions))
        .description("Rows with versions this POP holds (tombstones included)").register(registry);
    Gauge.builder("edge.replication.peers.connected", this, m -> m.read(
            s -> s.peers().stream().filter(ReplicationStatus.Peer::connected).count()))
        .description("Peers with a change-stream connection up").register(registry);
    Gauge.builder("edge.replication.held", this, m -> m.read(ReplicationStatus::heldChanges))
        .description("Changes from peers stamped further ahead than the skew bound, held until this clock reaches them")
        .register(registry);
    Gauge.builder("edge.replication.rejoining", this, m -> m.read(s -> s.rejoin() == null ? 0 : 1))
        .description("1 while this POP replaces its rows with a peer's copy (it was cut off longer than tombstones live)")
        .register(registry);
    var counters = replicator.counters();
    FunctionCounter.builder("edge.replication.applied", counters, c -> c.applied())
        .description("Changes from peers applied to routing.db").register(registry);
    FunctionCounter.builder("edge.replication.stale", counters, c -> c.stale())
        .description("Changes from peers ignored as not newer (duplicates, older writes)").register(registry);
    FunctionCounter.builder("edge.replication.rejected", replicator, r -> r.counters().rejected())
        .description("Messages or changes refused (wrong cluster, key, certificate, malformed)").register(registry);
    FunctionCounter.builder("edge.replication.pushed", counters, c -> c.pushed())
        .description("Local changes shipped to peers").register(registry);
    FunctionCounter.builder("edge.replication.storage.failures", counters, c -> c.storageFailures())
        .description("routing.db operations of replication that failed (disk full, locked); the last good state is kept")
        .register(registry);
    connected = MeterRows.gauge(registry, "edge.replication.peer.connected",
        "1 while a change-stream connection to the peer is up, else 0", null);
    lag = MeterRows.gauge(registry, "edge.replication.peer.lag",
        "The peer's newest own change minus the newest of its changes this POP holds", "seconds");
    behind = MeterRows.gauge(registry, "edge.replication.peer.behind.changes",
        "Rows the last anti-entropy session with the peer had to bring here (0: nothing was missing)", null);
    offset = MeterRows.gauge(registry, "edge.replication.peer.clock.offset",
        "The peer's clock minus this POP's, measured NTP-style on the change-stream", "seconds");
    skewed = MeterRows.gauge(registry, "edge.replication.peer.clock.skewed",
        "1 when the peer's clock is further off than EDGEPROXY_REPLICATION_MAX_CLOCK_SKEW_MS", null);
  }

  private double read(java.util.function.ToDoubleFunction<ReplicationStatus> figure) {
    ReplicationStatus s = status;
    return s == null ? 0 : figure.applyAsDouble(s);
  }

  void refresh() {
    ReplicationStatus now = replicator.status();
    status = now;
    for (ReplicationStatus.Peer peer : now.peers()) {
      Tags tags = Tags.of("peer", peer.nodeId());
      connected.row(tags, peer.connected() ? 1 : 0);
      lag.row(tags, peer.millisBehind() / 1000.0);
      behind.row(tags, peer.changesBehind());
      if (peer.clockOffsetMs() != null) {
        offset.row(tags, peer.clockOffsetMs() / 1000.0);
      }
      skewed.row(tags, peer.skewed() ? 1 : 0);
    }
    for (MeterRows meter : List.of(connected, lag, behind, offset, skewed)) {
      meter.publish();
    }
  }
}
