package io.edgeproxy.replication.protocol;

import java.util.Map;

/**
 * Whether one replica may merge with another, or must first replace its rows with the other's
 * copy. A merge is unsafe exactly when the other has compacted a tombstone this one may never
 * have seen (the merge would bring the deleted row back): the other's horizon for some origin is
 * past what this one holds of that origin. Since a POP compacts only tombstones older than both the
 * TTL and its own last successful sync, this happens to a POP cut off for longer than the TTL
 * while the others kept syncing and deleting, and never because of the cut-off POP's own deletes;
 * a whole cluster that stopped together is not stale. When both find the other stale (a long
 * split where each side synced, deleted and compacted on its own), the one that synced longer ago
 * rejoins, the larger node id on a tie: exactly one side does. Pure.
 */
final class Staleness {
  private Staleness() {}

  /** One side, as its Hello describes it. */
  record Side(String node, Map<String, Long> holds, Map<String, Long> horizons, long lastSyncMs) {}

  /** What {@code self} must do about {@code peer}. */
  enum Verdict {
    /** Merge normally. */
    MERGE,
    /** {@code self} must rejoin from a copy of the peer's (or another current peer's) rows. */
    REJOIN,
    /** The peer must rejoin: refuse its changes until it has. */
    PEER_REJOINS
  }

  static Verdict judge(Side self, Side peer) {
    boolean selfStale = stale(self, peer);
    boolean peerStale = stale(peer, self);
    if (selfStale && peerStale) {
      boolean selfOlder = self.lastSyncMs() != peer.lastSyncMs() ? self.lastSyncMs() < peer.lastSyncMs()
          : self.node().compareTo(peer.node()) > 0;
      return selfOlder ? Verdict.REJOIN : Verdict.PEER_REJOINS;
    }
    return selfStale ? Verdict.REJOIN : peerStale ? Verdict.PEER_REJOINS : Verdict.MERGE;
  }

  /** The reason {@code self} is stale with respect to {@code peer}, or null. */
  static String reason(Side self, Side peer) {
    for (var horizon : peer.horizons().entrySet()) {
      long held = self.holds().getOrDefault(horizon.getKey(), 0L);
      if (Long.compareUnsigned(horizon.getValue(), held) > 0) {
        return peer.node() + " has compacted tombstones of " + horizon.getKey() + " this POP may never have seen";
      }
    }
    return null;
  }

  static boolean stale(Side self, Side peer) {
    return reason(self, peer) != null;
  }
}
