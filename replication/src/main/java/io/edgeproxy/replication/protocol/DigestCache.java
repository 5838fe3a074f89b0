package io.edgeproxy.replication.protocol;

import io.edgeproxy.sql.DigestDelta;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RowHashes;
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

  private final long[] sums = new long[BUCKETS];
  private final Recent recent = new Recent();
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
      recent.add(d.tag(), bucket, d.delta(), nowMillis);
    }
    recent.dropOlderThan(nowMillis - keepMillis);
  }

  /** The digest as it stood for every change whose clock reading is not newer than {@code cutHlc}. */
  long[] settled(long cutHlc) {
    long[] digest = sums.clone();
    recent.subtractNewerThan(cutHlc, digest);
    return digest;
  }

  /**
   * The recent deltas, oldest first, in a ring of plain arrays: under sustained writes there are
   * hundreds of thousands, and an object each kept the collector busy.
   */
  private static final class Recent {
    private long[] tags = new long[1_024];
    private int[] buckets = new int[1_024];
    private long[] deltas = new long[1_024];
    private long[] atMillis = new long[1_024];
    private int head;
    private int size;

    void add(long tag, int bucket, long delta, long at) {
      if (size == tags.length) {
        grow();
      }
      int i = (head + size) & (tags.length - 1);
      tags[i] = tag;
      buckets[i] = bucket;
      deltas[i] = delta;
      atMillis[i] = at;
      size++;
    }

    void dropOlderThan(long cutoffMillis) {
      while (size > 0 && atMillis[head] < cutoffMillis) {
        head = (head + 1) & (tags.length - 1);
        size--;
      }
    }

    void subtractNewerThan(long cutHlc, long[] digest) {
      for (int n = 0, i = head; n < size; n++, i = (i + 1) & (tags.length - 1)) {
        if (Long.compareUnsigned(tags[i], cutHlc) > 0) {
          digest[buckets[i]] -= deltas[i];
        }
      }
    }

    void clear() {
      head = 0;
      size = 0;
    }

    private void grow() {
      int capacity = tags.length * 2;
      long[] t = new long[capacity];
      int[] b = new int[capacity];
      long[] d = new long[capacity];
      long[] a = new long[capacity];
      for (int n = 0, i = head; n < size; n++, i = (i + 1) & (tags.length - 1)) {
        t[n] = tags[i];
        b[n] = buckets[i];
        d[n] = deltas[i];
        a[n] = atMillis[i];
      }
      tags = t;
      buckets = b;
      deltas = d;
      atMillis = a;
      head = 0;
    }
  }

  static int bucketOf(String table, String key) {
    return RowHashes.bucketOf(table, key, BUCKETS);
  }
}
