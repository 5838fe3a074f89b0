package io.edgeproxy.replication.protocol;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.sql.ApplyResult;
import io.edgeproxy.sql.ReplicaStore;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Changes stamped further ahead of this POP's clock than the skew bound, held in routing.db: one
 * timer for the earliest, and merged when the clock reaches them. The node's thread only.
 */
final class HeldChanges {
  private final ReplicaStore store;
  private final HybridClock clock;
  private final NodeTimers timers;
  private final ReplicaRuntime runtime;
  private final StorageHealth storage;
  private final Consumer<ApplyResult> applied;

  HeldChanges(ReplicaStore store, HybridClock clock, NodeTimers timers, ReplicaRuntime runtime, StorageHealth storage,
      Consumer<ApplyResult> applied) {
    this.store = store;
    this.clock = clock;
    this.timers = timers;
    this.runtime = runtime;
    this.storage = storage;
    this.applied = applied;
  }

  /** Sets the timer for the earliest held change (none: no timer). */
  void schedule() {
    OptionalLong next;
    try {
      next = store.nextRelease();
    } catch (RuntimeException e) {
      return;
    }
    timers.releaseAt(next, runtime::wallMillis, this::release);
  }

  private void release() {
    try {
      applied.accept(store.releaseHeld(clock));
    } catch (RuntimeException e) {
      storage.failed("apply held changes", e);
    }
    schedule();
  }
}
