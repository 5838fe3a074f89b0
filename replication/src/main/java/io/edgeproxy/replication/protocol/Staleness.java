package io.edgeproxy.replication.protocol;

import java.util.Map;

/**
 * Whether one replica may merge with another, or must first replace its rows with the other's
 * copy. A merge is unsafe when the other has compacted a tombstone this one may never have seen
 * (it would bring the deleted row back): the other's horizon for some origin is past what this one
 * holds of it. And, conservatively, when this one last completed anti-entropy more than the
 * tombstone TTL before the other did (it was cut off for longer than tombstones live). When both
 * find the other stale (a long split where each side deleted and compacted), the one that synced
 * longer ago rejoins, the larger node id on a tie: exactly one side does. A whole cluster that
 * stopped together is not stale: staleness is relative to a peer that kept syncing. Pure.
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

  static Verdict judge(Side self, Side peer, long ttlMillis) {
    boolean selfStale = stale(self, peer, ttlMillis);
    boolean peerStale = stale(peer, self, ttlMillis);
    if (selfStale && peerStale) {
      boolean selfOlder = self.lastSyncMs() != peer.lastSyncMs() ? self.lastSyncMs() < peer.lastSyncMs()
          : self.node().compareTo(peer.node()) > 0;
      return selfOlder ? Verdict.REJOIN : Verdict.PEER_REJOINS;
    }
    return selfStale ? Verdict.REJOIN : peerStale ? Verdict.PEER_REJOINS : Verdict.MERGE;
  }

  /** The reason {@code self} is stale with respect to {@code peer}, or null. */
  static String reason(Side self, Side peer, long ttlMillis) {
    for (var horizon : peer.horizons().entrySet()) {
      long held = self.holds().getOrDefault(horizon.getKey(), 0L);
      if (Long.compareUnsigned(horizon.getValue(), held) > 0) {
        return peer.node() + " has compacted tombstones of " + horizon.getKey() + " this POP may never have seen";
      }
    }
    if (peer.lastSyncMs() > 0 && self.lastSyncMs() < peer.lastSyncMs() - ttlMillis) {
      return "this POP last synced " + (peer.lastSyncMs() - self.lastSyncMs()) / 1000 + " s before " + peer.node()
          + " did, longer than the tombstone TTL (" + ttlMillis / 1000 + " s)";
    }
    return null;
  }

  static boolean stale(Side self, Side peer, long ttlMillis) {
    return reason(self, peer, ttlMillis) != null;
  }
}
