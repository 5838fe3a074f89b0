package io.edgeproxy.replication.protocol;

import java.util.Collection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this POP must replace its rows with a peer's copy before it may merge, and why: it started
 * empty (a bootstrap: it may still serve its own, empty, copy), or it is stale (a peer compacted
 * deletes it may never have seen: see {@link Staleness}). While pending it pushes nothing, takes no
 * pushes and answers others' anti-entropy as busy. The node's thread only.
 */
final class Rejoin {
  private static final Logger logger = LoggerFactory.getLogger(Rejoin.class);

  private final String self;
  private @Nullable String reason;
  private boolean stale;
  private @Nullable RejoinReport last;

  Rejoin(String self) {
    this.self = self;
  }

  /** This POP holds no rows at start: it bootstraps from a copy. */
  void emptyStart() {
    reason = "this POP holds no rows yet";
  }

  boolean pending() {
    return reason != null;
  }

  @Nullable String reason() {
    return reason;
  }

  /** An empty POP may serve its copy; a stale one must not (it may hold rows deleted elsewhere). */
  boolean mayServeCopy() {
    return !stale;
  }

  boolean bootstrapping() {
    return reason != null && !stale;
  }

  boolean stale() {
    return reason != null && stale;
  }

  @Nullable RejoinReport last() {
    return last;
  }

  /**
   * An empty POP written to before a copy came is no longer empty, and nothing it holds is stale: it
   * joins by anti-entropy (a merge) instead of replacing what was just written.
   */
  void writtenTo() {
    if (bootstrapping()) {
      logger.info("{}: written to before a peer's copy came: joining by anti-entropy instead", self);
      reason = null;
    }
  }

  /** Judges a peer from its Hello; this POP becomes stale if it must rejoin. */
  Staleness.Verdict judge(Staleness.Side us, Staleness.Side them, Staleness.Verdict before) {
    Staleness.Verdict verdict = Staleness.judge(us, them);
    if (verdict == Staleness.Verdict.PEER_REJOINS && before != verdict) {
      logger.warn("{}: {} must rejoin from a copy before its changes are taken: {}", self, them.node(), Staleness.reason(them, us));
    }
    if (verdict == Staleness.Verdict.REJOIN && !stale) {
      String why = Staleness.reason(us, them);
      becomeStale(why != null ? why
          : "both POPs compacted deletes the other may not have seen, and " + them.node() + " synced more recently");
    }
    return verdict;
  }

  /** A peer refused this POP's changes for staleness. */
  void refusedAsStale(String peer, String why) {
    if (!stale) {
      becomeStale(peer + " refused this POP's changes: " + why);
    }
  }

  private void becomeStale(String why) {
    stale = true;
    reason = why;
    logger.warn("{}: this POP must rejoin from a copy before it may send changes: {}", self, why);
  }

  /**
   * The peer to copy from: connected, not stale itself nor judged so; preferably one that holds
   * every delete {@code us} has compacted (else the copy brings rows back that only
   * {@link io.edgeproxy.sql.ReplicaStore}'s kept deletes put away again), then one not starting
   * empty either, then the most recently synced (two POPs that both start empty copy each other
   * and go on).
   */
  static @Nullable PeerSession source(Collection<PeerSession> peers, Staleness.Side us) {
    PeerSession best = null;
    long bestRank = 0;
    for (PeerSession session : peers) {
      if (!session.connected() || session.hello == null || session.rejoining()
          || session.verdict == Staleness.Verdict.PEER_REJOINS) {
        continue;
      }
      long rank = (Staleness.stale(session.side(), us) ? 0 : 1L << 61) + (session.hello.getBootstrapping() ? 0 : 1L << 60)
          + Math.max(0, session.lastSyncOf()) / 4;
      if (best == null || rank > bestRank) {
        best = session;
        bestRank = rank;
      }
    }
    return best;
  }

  /** The copy replaced this POP's rows. */
  void done(RejoinReport report) {
    last = report;
    reason = null;
    stale = false;
  }
}
