package io.edgeproxy.replication.protocol;

import io.edgeproxy.sql.ReplicaStore;

/**
 * When this POP last completed a sync with a peer (anti-entropy or a rejoin), and its record in
 * routing.db, which survives a restart: staleness is judged by it. Written at most once a minute
 * while syncs keep completing, at every compaction, and at once after a rejoin. The node's thread
 * only.
 */
final class LastSync {
  private static final long RECORD_EVERY_MILLIS = 60_000;

  private final ReplicaStore store;
  private long millis;
  private long recordedMs;

  LastSync(ReplicaStore store) {
    this.store = store;
  }

  /** Takes up the recorded time at start. */
  void load() {
    millis = store.lastSyncMs();
    recordedMs = millis;
  }

  /** The last sync's wall-clock time (0: never). */
  long millis() {
    return millis;
  }

  /** A sync completed at {@code now}; recorded if the record is a minute old. Throws what storage throws. */
  void synced(long now) {
    millis = Math.max(millis, now);
    if (now - recordedMs > RECORD_EVERY_MILLIS || recordedMs == 0) {
      recordedMs = now;
      store.recordSync(now);
    }
  }

  /** A rejoin just made this POP current: recorded at once. */
  void rejoined(long now) {
    millis = now;
    recordedMs = now;
    store.recordSync(now);
  }

  /** Records the newest sync if the record is behind it. */
  void flush() {
    if (millis > recordedMs) {
      recordedMs = millis;
      store.recordSync(millis);
    }
  }
}
