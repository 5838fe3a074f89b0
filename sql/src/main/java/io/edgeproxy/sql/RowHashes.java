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

  /** The hash of one cell of a row's life {@code cl}. */
  static long cellHash(String table, String key, long cl, String column, Version version) {
    long h = fnv(fnv(fnv(fnv(0x5bd1e9955bd1e995L, table), key), column), version.node());
    return Hashing.mix64(h ^ Hashing.mix64(version.hlc() + 0x632be59bd9b4e019L) ^ Hashing.mix64(cl));
  }

  private static long fnv(long seed, String text) {
    long h = seed;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return (h ^ 0xff) * 0x100000001b3L; // a separator, so ("ab","c") and ("a","bc") differ
  }
}
