package io.edgeproxy.replication.protocol;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts this POP's anti-entropy sessions, one at a time: every sync interval with one random peer
 * that has no pushes of this POP in flight (it would get them twice), or, while a rejoin is pending,
 * a copy from the best source. A session from which nothing has arrived for 30 s (at least 20
 * intervals) is given up; one that keeps hearing from its peer runs as long as it needs (a large
 * copy over a slow link). The node's thread only.
 */
final class AntiEntropy {
  private static final Logger logger = LoggerFactory.getLogger(AntiEntropy.class);

  private final ReplicaNode node;
  private final ReplicaRuntime runtime;
  private final long giveUpNanos;
  private ReplicaRuntime.@Nullable Stream session;
  /** When the running session last heard from its peer (or began). */
  private long heardNanos;

  AntiEntropy(ReplicaNode node, ReplicaRuntime runtime, long syncIntervalMillis) {
    this.node = node;
    this.runtime = runtime;
    this.giveUpNanos = Math.max(30_000, 20 * syncIntervalMillis) * 1_000_000;
  }

  /** One round: a session with one peer (or a copy), unless one is still running. */
  void round(PeerLinks peers, Rejoin rejoin) {
    if (session != null) {
      if (runtime.nanoTime() - heardNanos > giveUpNanos) {
        ReplicaRuntime.Stream stuck = session;
        node.warn("session:" + stuck.peer(), "anti-entropy with " + stuck.peer() + " made no progress for "
            + giveUpNanos / 1_000_000_000 + " s; giving it up");
        stuck.close(); // its protocol ends the session when the stream closes
        node.onClosed(stuck);
      }
      return;
    }
    if (rejoin.pending()) {
      PeerSession source = Rejoin.source(peers.all(), node.side());
      if (source != null) {
        start(source, true, rejoin.reason());
      }
      return;
    }
    List<PeerSession> candidates = new ArrayList<>();
    for (PeerSession s : peers.all()) {
      if (s.pushable() && !s.push.inFlight() && !s.rejoining()) {
        candidates.add(s);
      }
    }
    if (!candidates.isEmpty()) {
      start(candidates.get(Math.floorMod(Long.hashCode(runtime.nanoTime()), candidates.size())), false, null);
    }
  }

  private void start(PeerSession peer, boolean copy, @Nullable String why) {
    if (peer.connection == null) {
      return;
    }
    ReplicaRuntime.Stream stream;
    try {
      stream = peer.connection.openStream();
    } catch (RuntimeException e) {
      node.warn("open:" + peer.node(), "cannot open a stream to " + peer.node() + ": " + e.getMessage());
      peer.connection.close();
      return;
    }
    if (copy) {
      logger.info("{}: rejoining from {}: {}", node.nodeId(), peer.node(), why);
    }
    session = stream;
    long started = runtime.nanoTime();
    heardNanos = started;
    SyncInitiator initiator = new SyncInitiator(node, stream, copy, () -> heardNanos = runtime.nanoTime(), outcome -> {
      session = null;
      if (!outcome.heldOff()) {
        peer.lastSyncAtMillis = runtime.wallMillis();
        peer.lastSyncRows = outcome.rowsReceived();
      }
      if (outcome.rowsReceived() > 0 || outcome.rowsSent() > 0) {
        logger.info("{}: {} with {}: {} differing buckets, {} rows received, {} sent, {} ms", node.nodeId(),
            copy ? "copy" : "anti-entropy", outcome.peer(), outcome.differingBuckets(), outcome.rowsReceived(),
            outcome.rowsSent(), (runtime.nanoTime() - started) / 1_000_000);
      }
    });
    stream.attach(initiator);
    initiator.start();
  }
}
