package io.edgeproxy.replication.protocol;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RowKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets tombstones older than the TTL and than this POP's last successful sync (a POP cut off
 * keeps its own deletes until the others have had them: otherwise its partition-time deletes would
 * make every peer stale), and registrations whose lease ended long ago. The node's thread only.
 */
final class Compaction {
  private static final Logger logger = LoggerFactory.getLogger(Compaction.class);

  private final String self;
  private final NodeSettings settings;
  private final ReplicaStore store;
  private final DigestCache digest;
  private final StorageHealth storage;
  private final Runnable removed;
  private final ReplicaNode.Listener listener;

  /**
   * @param removed told when a pass removed anything (the node re-reads its holds and horizons)
   * @param listener told the rows of forgotten registrations (their backends leave routing)
   */
  Compaction(String self, NodeSettings settings, ReplicaStore store, DigestCache digest, StorageHealth storage, Runnable removed,
      ReplicaNode.Listener listener) {
    this.self = self;
    this.settings = settings;
    this.store = store;
    this.digest = digest;
    this.storage = storage;
    this.removed = removed;
    this.listener = listener;
  }

  /** One pass, its outcome reported; a storage failure is counted and logged, never thrown. */
  void pass(long now, boolean alone, LastSync lastSync) {
    try {
      Outcome outcome = run(now, alone, lastSync);
      if (outcome.removedAny()) {
        removed.run();
      }
      if (!outcome.forgotten().isEmpty()) {
        listener.changed(outcome.forgotten()); // nothing else reloads routing while replication runs
      }
    } catch (RuntimeException e) {
      storage.failed("compact tombstones", e);
    }
  }

  /** What one pass removed; {@code forgotten}: the rows of registrations forgotten, and of their backends. */
  record Outcome(boolean removedAny, java.util.Set<RowKey> forgotten) {}

  /**
   * One pass at {@code now}. {@code alone}: no peer was ever seen, so this POP is the whole cluster
   * and its sync time is now. Throws what storage throws.
   */
  Outcome run(long now, boolean alone, LastSync lastSync) {
    long syncedUpTo = alone ? now : lastSync.millis();
    long cutoff = Math.min(now - settings.tombstoneTtl().toMillis(), syncedUpTo);
    ReplicaStore.Removal tombstones = store.compactTombstones(HybridClock.fromMillis(cutoff));
    ReplicaStore.Removal leases = store.forgetExpiredLeases(now, settings.leaseForgetAfter().toMillis(), settings.tombstoneTtl().toMillis());
    digest.apply(tombstones.deltas(), now);
    digest.apply(leases.deltas(), now);
    lastSync.flush();
    if (tombstones.rows() == 0 && leases.rows() == 0) {
      return new Outcome(false, java.util.Set.of());
    }
    logger.info("{}: compacted {} tombstones older than {} s, forgot {} registrations expired long ago", self, tombstones.rows(),
        settings.tombstoneTtl().toSeconds(), leases.rows());
    java.util.Set<RowKey> forgotten = new java.util.LinkedHashSet<>();
    leases.deltas().forEach(d -> forgotten.add(d.row()));
    return new Outcome(true, forgotten);
  }
}
