package io.edgeproxy.replication.stream;

import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.replication.wire.Hello;
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

  long[] digest(int buckets);

  void rowsIn(BitSet buckets, int bucketCount, Consumer<RowChange> sink);

  /** Merges rows a peer sent (pushed or during a sync). */
  void apply(String fromNode, List<RowChange> rows);

  /** A peer's message was refused (wrong cluster, protocol, identity, malformed); counted and logged. */
  void rejected(String peer, String reason);
}
