package io.edgeproxy.replication.protocol;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.sql.ApplyResult;
import io.edgeproxy.sql.ReplicaStore;
import java.util.List;

/**
 * What peers sent and this POP has not merged yet (pushed change sets, anti-entropy rows, holds a
 * completed session vouches for): gathered in an {@link Inbox}, merged together in one transaction
 * on the node's thread, then acknowledged; holds advance only along unbroken chains
 * ({@link HoldsTracker}). The node's thread only.
 */
final class Arrivals {
  private final ReplicaNode node;
  private final ReplicaRuntime runtime;
  private final ReplicaStore store;
  private final HybridClock clock;
  private final StorageHealth storage;
  private final Inbox inbox = new Inbox();
  private final HoldsTracker tracker = new HoldsTracker();
  private boolean drainQueued;
  private long dropped;

  Arrivals(ReplicaNode node, ReplicaRuntime runtime, ReplicaStore store, HybridClock clock, StorageHealth storage) {
    this.node = node;
    this.runtime = runtime;
    this.store = store;
    this.clock = clock;
    this.storage = storage;
  }

  /** Queues {@code entry}; a merge of everything waiting follows soon (one, however many arrive meanwhile). */
  void add(Inbox.Entry entry) {
    inbox.add(entry);
    if (!drainQueued) {
      drainQueued = true;
      runtime.execute(this::drain);
    }
  }

  /**
   * Counts arrivals lost: dropped unmerged (this POP is about to be replaced by a copy), or merged
   * into rows a copy then replaced.
   */
  void drop() {
    dropped++;
  }

  /**
   * How many arrivals were dropped so far: a session that saw this move while it ran vouches for
   * nothing (its rows were not all stored).
   */
  long dropped() {
    return dropped;
  }

  /** Merges everything waiting in one transaction, then acknowledges and ships what follows from it. */
  void drain() {
    drainQueued = false;
    if (inbox.isEmpty() || node.closed()) {
      return;
    }
    List<Inbox.Entry> entries = inbox.take();
    ApplyResult result;
    try {
      result = store.apply(Inbox.batches(entries), clock);
    } catch (RuntimeException e) {
      int rows = entries.stream().mapToInt(en -> en.rows().size()).sum();
      storage.failed("apply " + rows + " changes (kept the last good state; anti-entropy will retry)", e);
      return;
    }
    storage.ok();
    node.applied(result);
    for (int i = 0; i < entries.size(); i++) {
      Inbox.Entry entry = entries.get(i);
      if (entry.advance() != null && entry.advance().from() != 0 && result.cleanBatches().get(i)
          && Long.compareUnsigned(node.holds().getOrDefault(entry.from(), 0L), entry.txn()) < 0) {
        tracker.taken(entry.from(), entry.advance().from(), entry.txn());
      }
    }
    List<ReplicaStore.HoldsAdvance> connecting = tracker.connecting(node.holds());
    if (!connecting.isEmpty()) {
      List<ReplicaStore.Batch> advances = connecting.stream().map(a -> new ReplicaStore.Batch(List.of(), a)).toList();
      try {
        node.applied(store.apply(advances, clock));
      } catch (RuntimeException e) {
        storage.failed("record what this POP holds", e);
      }
    }
    for (Inbox.Entry entry : entries) {
      if (entry.ack() != null) {
        entry.ack().accept(node.holds().getOrDefault(entry.from(), 0L));
      }
    }
  }
}
