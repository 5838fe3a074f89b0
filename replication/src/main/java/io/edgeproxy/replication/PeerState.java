package io.edgeproxy.replication;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.replication.cluster.Membership;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What this POP knows of one peer's progress, for status and lag: the newest change the peer says
 * it made, the newest of its changes held here, and the last anti-entropy session. Written on the
 * database thread and the network threads, read by anyone (hence volatile).
 */
final class PeerState {
  final Membership.Peer peer;
  private volatile long theirNewestOwn;
  private volatile long newestOfTheirsHere;
  private volatile @Nullable Instant lastSync;
  private volatile long lastSyncReceived;

  PeerState(Membership.Peer peer) {
    this.peer = peer;
  }

  /** The peer's hello: the newest change it made (its HLC). */
  void heard(long newestOwnHlc) {
    theirNewestOwn = Math.max(theirNewestOwn, newestOwnHlc);
  }

  /** The newest change the peer had made when a sync with it started. */
  long theirNewestOwn() {
    return theirNewestOwn;
  }

  /** An anti-entropy session that started when the peer's newest was {@code theirsAtStart} has ended. */
  void synced(long theirsAtStart, long rowsReceived) {
    lastSync = Instant.now();
    lastSyncReceived = rowsReceived;
    newestOfTheirsHere = Math.max(newestOfTheirsHere, theirsAtStart);
  }

  /** Rows this peer sent were applied: those it made itself count towards its lag. */
  void applied(List<RowChange> rows) {
    String node = peer.nodeId();
    for (RowChange row : rows) {
      if (row.version().node().equals(node)) {
        newestOfTheirsHere = Math.max(newestOfTheirsHere, row.version().hlc());
      }
    }
  }

  ReplicationStatus.Peer status(boolean connected) {
    long behind = Math.max(0, HybridClock.millisOf(theirNewestOwn) - HybridClock.millisOf(newestOfTheirsHere));
    return new ReplicationStatus.Peer(peer.nodeId(), peer.region(), SocketAddresses.format(peer.streamAddress()), connected,
        lastSync, lastSyncReceived, theirNewestOwn == 0 ? 0 : behind);
  }
}
