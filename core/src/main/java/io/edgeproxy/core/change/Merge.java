package io.edgeproxy.core.change;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The merge rule of replicated rows, the same on every POP (so any order of delivery, with
 * duplicates, ends in the same state: a state-based CRDT, as cr-sqlite's).
 *
 * <ul>
 *   <li>Existence: the higher causal length wins; at equal length, the higher version (only to
 *       agree on which write to remember; the row's state is the same).
 *   <li>A column is compared only within the row's winning life: a column of an older life is
 *       dropped with it.
 *   <li>Within a life, {@link MergeRule#LAST_WRITER} columns keep the higher version;
 *       {@link MergeRule#MAX} columns keep the larger value, the higher version breaking ties.
 * </ul>
 */
public final class Merge {
  private Merge() {}

  /** Positive when existence {@code (clA, a)} wins over {@code (clB, b)}, 0 when equal. */
  public static int compareExistence(long clA, Version a, long clB, Version b) {
    int byLength = Long.compare(clA, clB);
    return byLength != 0 ? byLength : a.compareTo(b);
  }

  /** True when {@code incoming} replaces {@code current} (a cell of the same life) under {@code rule}. */
  public static boolean cellWins(Cell incoming, @Nullable Cell current, MergeRule rule) {
    if (current == null) {
      return true;
    }
    if (rule == MergeRule.MAX) {
      int byValue = compareValues(incoming.value(), current.value());
      if (byValue != 0) {
        return byValue > 0;
      }
    }
    return incoming.version().isNewerThan(current.version());
  }

  /**
   * SQLite's ordering of values: null, then numbers (by value), then text, then blobs (bytewise).
   */
  public static int compareValues(@Nullable Object a, @Nullable Object b) {
    int classA = storageClass(a);
    int classB = storageClass(b);
    if (classA != classB) {
      return Integer.compare(classA, classB);
    }
    return switch (a) {
      case null -> 0;
      case Number n -> Double.compare(n.doubleValue(), ((Number) b).doubleValue()) != 0
          ? Double.compare(n.doubleValue(), ((Number) b).doubleValue())
          : Long.compare(n.longValue(), ((Number) b).longValue());
      case String s -> s.compareTo((String) b);
      case byte[] bytes -> Arrays.compareUnsigned(bytes, (byte[]) b);
      default -> a.toString().compareTo(String.valueOf(b));
    };
  }

  private static int storageClass(@Nullable Object value) {
    return switch (value) {
      case null -> 0;
      case Number n -> 1;
      case String s -> 2;
      default -> 3;
    };
  }
}
