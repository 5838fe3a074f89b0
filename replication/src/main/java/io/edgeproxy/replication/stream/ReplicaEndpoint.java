package io.edgeproxy.replication.stream;

import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.replication.wire.Hello;
import io.edgeproxy.sql.ReplicaStore;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * What the change-stream needs from the replica it serves. Implemented by {@code Replicator}. The
 * stream calls {@link #hello()}, {@link #peerHello} and {@link #executor()} on I/O threads; it runs
 * the database methods only on {@link #executor()}.
 */
public interface ReplicaEndpoint {
  /** Our Hello: cluster, node id, region, and our newest version. Non-blocking. */
  Hello hello();

  /** A peer introduced itself (also sent as a heartbeat on push streams). Non-blocking. */
  void peerHello(String node, Hello hello);

  /** The single thread that owns routing.db writes; database methods below run on it. */
  Executor executor();

  /**
   * The digest ({@value io.edgeproxy.sql.ReplicaStore#CACHED_BUCKETS} buckets) of every change not
   * newer than {@code settledHlc}.
   */
  long[] settledDigest(long settledHlc);

  /** A clock reading a little in the past: changes newer than it may still be in flight. */
  long settledHlc();

  void rowsIn(BitSet buckets, int bucketCount, Consumer<RowChange> sink);

  void versionsIn(BitSet buckets, int bucketCount, Consumer<ReplicaStore.RowVersion> sink);

  /**
   * True while this replica is loading its initial copy from one peer: it then answers other
   * peers' anti-entropy as if nothing differed, so they do not all send it everything at once.
   */
  boolean bootstrapping();

  /** Merges rows a peer sent (pushed or during a sync). */
  void apply(String fromNode, List<RowChange> rows);

  /** A peer's message was refused (wrong cluster, protocol, identity, malformed); counted and logged. */
  void rejected(String peer, String reason);
}
