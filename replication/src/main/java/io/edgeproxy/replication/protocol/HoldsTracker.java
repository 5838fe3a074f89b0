package io.edgeproxy.replication.protocol;

import io.edgeproxy.sql.ReplicaStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Transactions of other origins this replica has taken out of order: a push that arrived after a
 * gap (the connection dropped, pushes were lost) cannot raise what the replica holds of its origin
 * until the gap is filled, by anti-entropy; this remembers it meanwhile, so once the gap is filled
 * the holds jump past it instead of waiting for the next round. In memory only: after a restart,
 * anti-entropy counts them again. Not thread-safe: the node's thread only.
 */
final class HoldsTracker {
  /** Per origin: previous -> txn of each clean change set taken whose previous was not held. */
  private final Map<String, TreeMap<Long, Long>> pending = new HashMap<>();

  /** A clean change set ({@code previous}, {@code txn}] of {@code origin} was applied. */
  void taken(String origin, long previous, long txn) {
    pending.computeIfAbsent(origin, o -> new TreeMap<>(Long::compareUnsigned)).merge(previous, txn, Math::max);
  }

  /**
   * The advances that now connect to what the store holds (each set's previous is held): empty when
   * none does. Connected ranges are forgotten.
   */
  List<ReplicaStore.HoldsAdvance> connecting(Map<String, Long> holds) {
    List<ReplicaStore.HoldsAdvance> out = new ArrayList<>();
    for (var entry : pending.entrySet()) {
      long held = holds.getOrDefault(entry.getKey(), 0L);
      long reach = held;
      var ranges = entry.getValue();
      while (!ranges.isEmpty() && Long.compareUnsigned(ranges.firstKey(), reach) <= 0) {
        reach = Math.max(reach, ranges.pollFirstEntry().getValue());
      }
      if (reach != held) {
        out.add(new ReplicaStore.HoldsAdvance(entry.getKey(), 0, reach));
      }
    }
    pending.values().removeIf(TreeMap::isEmpty);
    return out;
  }
}
