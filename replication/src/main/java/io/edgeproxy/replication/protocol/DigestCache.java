package io.edgeproxy.replication.protocol;

import io.edgeproxy.sql.DigestDelta;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RowHashes;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The anti-entropy digest of this replica: {@link #BUCKETS} sums of row hashes (a row's bucket
 * chosen by its table and key), kept up to date from the {@link DigestDelta}s of every committed
 * transaction instead of rescanning. Recent deltas are remembered so that the digest can be given
 * as it stood for every change not newer than a cut ({@link #settled}): changes still in flight on
 * push streams are left out, and two replicas that agree on everything settled compare equal
 * while writes are streaming. Not thread-safe: the node's thread only.
 */
final class DigestCache {
  static final int BUCKETS = 1_024;

  private record Recent(long tag, int bucket, long delta, long atMillis) {}

  private final long[] sums = new long[BUCKETS];
  private final ArrayDeque<Recent> recent = new ArrayDeque<>();
  private final long keepMillis;
  private boolean built;

  /** @param keepMillis how long deltas are remembered: longer than any settle time plus the skew bound */
  DigestCache(long keepMillis) {
    this.keepMillis = keepMillis;
  }

  /** Recomputes every bucket from the store (at start, and after a copy replaced everything). */
  void rebuild(ReplicaStore store) {
    java.util.Arrays.fill(sums, 0);
    store.rowHashes(k -> true, (row, hash) -> sums[RowHashes.bucketOf(row.table(), row.key(), BUCKETS)] += hash);
    recent.clear();
    built = true;
  }

  boolean built() {
    return built;
  }

  /** Adds a committed transaction's deltas, seen at {@code nowMillis}. */
  void apply(List<DigestDelta> deltas, long nowMillis) {
    for (DigestDelta d : deltas) {
      int bucket = RowHashes.bucketOf(d.row().table(), d.row().key(), BUCKETS);
      sums[bucket] += d.delta();
      recent.addLast(new Recent(d.tag(), bucket, d.delta(), nowMillis));
    }
    while (!recent.isEmpty() && nowMillis - recent.peekFirst().atMillis() > keepMillis) {
      recent.removeFirst();
    }
  }

  /** The digest as it stood for every change whose clock reading is not newer than {@code cutHlc}. */
  long[] settled(long cutHlc) {
    long[] digest = sums.clone();
    for (Recent r : recent) {
      if (Long.compareUnsigned(r.tag(), cutHlc) > 0) {
        digest[r.bucket()] -= r.delta();
      }
    }
    return digest;
  }

  static int bucketOf(String table, String key) {
    return RowHashes.bucketOf(table, key, BUCKETS);
  }
}
