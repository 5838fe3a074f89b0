package io.edgeproxy.replication.protocol;

/**
 * How far behind its writes the changes pushed to this replica arrive (write to applied here),
 * as the largest delay seen in the last 5 to 10 seconds. Anti-entropy counts a change as settled
 * only once it is older than this: a younger one may still be on a push stream, and comparing it
 * would send it a second time (under load, with a lagging peer, that doubles the work).
 * Written and read on the replica's database thread; reads from other threads may be stale.
 */
final class PushLag {
  private static final long WINDOW_MILLIS = 5_000;
  /** Settle time never exceeds this (the store remembers recent digest changes for 15 s). */
  static final long MAX_SETTLE_MILLIS = 10_000;

  private volatile long windowStart;
  private volatile long currentMax;
  private volatile long previousMax;

  /** A pushed change written at {@code writtenMillis} was applied at {@code nowMillis}. */
  void record(long writtenMillis, long nowMillis) {
    roll(nowMillis);
    currentMax = Math.max(currentMax, Math.max(0, nowMillis - writtenMillis));
  }

  /** The largest delay seen in the current and the previous window. */
  long millis(long nowMillis) {
    roll(nowMillis);
    return Math.max(currentMax, previousMax);
  }

  /**
   * How old a change must be to count as settled: twice the push delay, at least the sync interval
   * (and 1 s), at most 10 s.
   */
  long settleMillis(long nowMillis, long syncIntervalMillis) {
    return Math.min(MAX_SETTLE_MILLIS, Math.max(Math.max(1_000, syncIntervalMillis), 2 * millis(nowMillis)));
  }

  private void roll(long nowMillis) {
    if (nowMillis - windowStart < WINDOW_MILLIS) {
      return;
    }
    previousMax = nowMillis - windowStart < 2 * WINDOW_MILLIS ? currentMax : 0;
    currentMax = 0;
    windowStart = nowMillis;
  }
}
