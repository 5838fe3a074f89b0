package io.edgeproxy.replication.stream;

import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.replication.wire.Hello;
import io.edgeproxy.sql.ReplicaStore;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

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

  /**
   * A clock reading far enough in the past that changes newer than it may still be in flight: the
   * sync interval, or twice the recent push delay when that is longer (at most 10 s).
   */
  long settledHlc();

  void rowsIn(BitSet buckets, int bucketCount, Consumer<RowChange> sink);

  void versionsIn(BitSet buckets, int bucketCount, Consumer<ReplicaStore.RowVersion> sink);

  /**
   * True while this replica is loading its initial copy from one peer: it then answers other
   * peers' anti-entropy as if nothing differed, so they do not all send it everything at once.
   */
  boolean bootstrapping();

  /**
   * True while changes this replica pushed to {@code peer} are not yet acknowledged: the peer's
   * anti-entropy is then answered with "nothing differs", since those rows are on their way.
   */
  boolean pushingTo(String peer);

  /**
   * A consistent copy of this replica's database in a new temporary file, for a new POP's
   * bootstrap (the caller deletes it); null when this replica cannot make one, and then its rows
   * are streamed instead.
   */
  @Nullable Path snapshotFile();

  /**
   * Merges a peer's database copy ({@link #snapshotFile}) by version; returns how many row
   * versions it took.
   *
   * @throws RuntimeException naming what was wrong with the file (nothing is changed then)
   */
  long importSnapshot(String fromNode, Path file);

  /** Merges rows a peer sent: {@code pushed} as new changes, or else during a sync. */
  void apply(String fromNode, List<RowChange> rows, boolean pushed);

  /**
   * True when changes written before {@code settledHlc} may still be on their way to this replica
   * (pushes have lately arrived later than that): a digest compared at that cut would differ
   * for rows that need no repair.
   */
  boolean receivingOlderThan(long settledHlc);

  /** A peer's message was refused (wrong cluster, protocol, identity, malformed); counted and logged. */
  void rejected(String peer, String reason);
}
