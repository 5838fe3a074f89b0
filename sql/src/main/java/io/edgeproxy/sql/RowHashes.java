package io.edgeproxy.sql;

import io.edgeproxy.core.routing.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * The hashes anti-entropy compares: which bucket a replicated row falls in, and the hash of one
 * row version that a bucket's digest sums. Every POP must compute them identically, so they
 * depend on nothing but their arguments (FNV-1a over UTF-8, then a 64-bit mix).
 */
public final class RowHashes {
  private RowHashes() {}

  /** The bucket of row {@code key} of {@code table} among {@code buckets}. */
  public static int bucketOf(String table, String key, int buckets) {
    return Math.floorMod(Hashing.mix64(fnv(fnv(0xcbf29ce484222325L, table), key)), buckets);
  }

  /** The hash of one version of a row (its HLC, node and whether it is a tombstone). */
  static long versionHash(String table, String key, long hlc, String node, boolean deleted) {
    long h = fnv(fnv(fnv(0x84222325cbf29ce4L, table), key), node);
    return Hashing.mix64(h ^ Hashing.mix64(hlc) ^ (deleted ? 0x5bd1e995L : 0));
  }

  private static long fnv(long seed, String text) {
    long h = seed;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return (h ^ 0xff) * 0x100000001b3L; // a separator, so ("ab","c") and ("a","bc") differ
  }
}
