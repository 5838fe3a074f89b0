package io.edgeproxy.replication.protocol;

import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.sql.ReplicaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Rows peers sent, waiting to be merged: everything that arrived while the node's thread was busy
 * is merged in one transaction (under a stream of small pushes, many share one commit). A push's
 * acknowledgement waits for its merge, and carries what this POP then holds of the pusher. The
 * node's thread only.
 */
final class Inbox {
  /** One arrival: rows, what they vouch for, and whom to tell once merged. */
  record Entry(String from, List<RowChange> rows, ReplicaStore.@Nullable HoldsAdvance advance, @Nullable LongConsumer ack,
      long txn) {}

  private List<Entry> entries = new ArrayList<>();

  void add(Entry entry) {
    entries.add(entry);
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Everything waiting, in arrival order; the inbox is empty afterwards. */
  List<Entry> take() {
    List<Entry> taken = entries;
    entries = new ArrayList<>();
    return taken;
  }

  static List<ReplicaStore.Batch> batches(List<Entry> entries) {
    List<ReplicaStore.Batch> out = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      out.add(new ReplicaStore.Batch(e.rows(), e.advance()));
    }
    return out;
  }
}
