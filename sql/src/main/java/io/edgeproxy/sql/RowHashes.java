package io.edgeproxy.sql;

import io.edgeproxy.core.change.Version;
import io.edgeproxy.core.routing.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * The hashes anti-entropy compares. A row's hash is the sum of the hashes of its items: its
 * existence (causal length and version) and each cell of its current life (column and version).
 * Values are not hashed: a version names one write, and so one value. Sums make the hash of a
 * bucket, a row or a digest change by a delta per item change. Every POP must compute them
 * identically, so they depend on nothing but their arguments (FNV-1a over UTF-8, then a mix).
 */
public final class RowHashes {
  private RowHashes() {}

  /** The bucket of row {@code key} of {@code table} among {@code buckets}. */
  public static int bucketOf(String table, String key, int buckets) {
    return Math.floorMod(Hashing.mix64(fnv(fnv(0xcbf29ce484222325L, table), key)), buckets);
  }

  /** The hash of a row's existence item. */
  static long existenceHash(String table, String key, long cl, Version version) {
    long h = fnv(fnv(fnv(0x84222325cbf29ce4L, table), key), version.node());
    return Hashing.mix64(h ^ Hashing.mix64(version.hlc()) ^ Hashing.mix64(cl * 0x9e3779b97f4a7c15L + 1));
  }

  /** The part of {@link #cellHash} that depends on the row only: computed once for all its cells. */
  static long cellSeed(String table, String key) {
    return fnv(fnv(0x5bd1e9955bd1e995L, table), key);
  }

  /** The hash of one cell of a row's life {@code cl}; {@code cellSeed} is the row's {@link #cellSeed}. */
  static long cellHash(long cellSeed, long cl, String column, Version version) {
    return finishCell(fnv(fnv(cellSeed, column), version.node()), version.hlc(), cl);
  }

  /** {@link #cellHash} once column and node are hashed into {@code h}. */
  static long finishCell(long h, long hlc, long cl) {
    return Hashing.mix64(h ^ Hashing.mix64(hlc + 0x632be59bd9b4e019L) ^ Hashing.mix64(cl));
  }

  /** The sum of the cells' hashes. */
  static long cellsHash(java.util.Map<String, Clocks.StoredCell> cells, long cellSeed, long cl) {
    long sum = 0;
    for (var cell : cells.entrySet()) {
      sum += cellHash(cellSeed, cl, cell.getKey(), cell.getValue().version());
    }
    return sum;
  }

  /** The hash of a whole row: its existence and every cell of its current life. */
  static long of(RowKey row, Clocks.RowClock clock) {
    long cl = clock.existence().cl();
    return existenceHash(row.table(), row.key(), cl, clock.existence().version())
        + cellsHash(clock.cells(), cellSeed(row.table(), row.key()), cl);
  }

  private static long fnv(long seed, String text) {
    long h = seed;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch >= 0x80) {
        return fnvUtf8(seed, text); // the same bytes, the long way (rare: keys are mostly ASCII)
      }
      h = (h ^ ch) * 0x100000001b3L;
    }
    return (h ^ 0xff) * 0x100000001b3L; // a separator, so ("ab","c") and ("a","bc") differ
  }

  private static long fnvUtf8(long seed, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return fnv(seed, bytes, 0, bytes.length);
  }

  /** {@link #fnv(long, String)} over a text's UTF-8 bytes {@code data[from, from + length)}. */
  static long fnv(long seed, byte[] data, int from, int length) {
    long h = seed;
    for (int i = from; i < from + length; i++) {
      h = (h ^ (data[i] & 0xff)) * 0x100000001b3L;
    }
    return (h ^ 0xff) * 0x100000001b3L;
  }
}
