package io.edgeproxy.cache;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * Weighted rendezvous hashing (highest random weight): the node a key belongs to, which every
 * caller that knows the same nodes agrees on without talking to the others. When a node goes,
 * only its keys move (each to the node that scored second for it); when one comes, it takes
 * about its share from every other. A node of weight 2 gets twice the keys of one of weight 1.
 * Pure.
 */
public final class Rendezvous {
  private Rendezvous() {}

  /** A candidate: its name (unique) and weight (> 0). */
  public record Node(String name, double weight) {
    public Node {
      if (!(weight > 0)) {
        throw new IllegalArgumentException("weight " + weight + " of " + name + " (expected: > 0)");
      }
    }
  }

  /** The node {@code key} belongs to, or null when there is none. */
  public static @Nullable String pick(String key, Collection<Node> nodes) {
    String best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    long keyHash = hash(key.getBytes(StandardCharsets.UTF_8), 0x9E3779B97F4A7C15L);
    for (Node n : nodes) {
      double score = score(keyHash, n);
      if (score > bestScore || (score == bestScore && best != null && n.name().compareTo(best) < 0)) {
        best = n.name();
        bestScore = score;
      }
    }
    return best;
  }

  /** -weight / ln(u), u uniform in (0, 1) from the pair's hash: the weighted HRW score (Schindelhauer and Schomaker). */
  private static double score(long keyHash, Node n) {
    long h = mix(keyHash ^ hash(n.name().getBytes(StandardCharsets.UTF_8), 0xC2B2AE3D27D4EB4FL));
    double u = ((h >>> 11) + 0.5) / (double) (1L << 53);
    return -n.weight() / Math.log(u);
  }

  /** FNV-1a over {@code bytes} from {@code seed}, then mixed. */
  private static long hash(byte[] bytes, long seed) {
    long h = seed ^ 0xCBF29CE484222325L;
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001B3L;
    }
    return mix(h);
  }

  /** SplitMix64's finalizer. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
