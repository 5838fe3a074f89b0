package io.edgeproxy.replication.protocol;

import java.util.concurrent.atomic.LongAdder;

/** Running totals of one replica, for status and metrics. Thread-safe: written by the node, read by anyone. */
public final class ReplicaCounters {
  private final LongAdder applied = new LongAdder();
  private final LongAdder stale = new LongAdder();
  private final LongAdder held = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder pushed = new LongAdder();
  private final LongAdder storageFailures = new LongAdder();

  void applied(int appliedRows, int staleRows, int heldRows) {
    applied.add(appliedRows);
    stale.add(staleRows);
    held.add(heldRows);
  }

  void rejected(int count) {
    rejected.add(count);
  }

  void pushed(int rows) {
    pushed.add(rows);
  }

  void storageFailure() {
    storageFailures.increment();
  }

  /** Remote rows merged that changed something. */
  public long applied() {
    return applied.sum();
  }

  /** Remote rows that changed nothing (duplicates, older writes). */
  public long stale() {
    return stale.sum();
  }

  /** Remote rows held for being stamped too far ahead of this POP's clock. */
  public long held() {
    return held.sum();
  }

  /** Messages or rows refused. */
  public long rejected() {
    return rejected.sum();
  }

  /** Local rows shipped. */
  public long pushed() {
    return pushed.sum();
  }

  /** routing.db operations of replication that failed (disk full, locked). */
  public long storageFailures() {
    return storageFailures.sum();
  }

  /** Counts one refusal from outside the node (a failed handshake, an undecodable frame). */
  public void rejectedElsewhere() {
    rejected.increment();
  }
}
