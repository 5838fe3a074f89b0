package io.edgeproxy.core.change;

import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., 2014): readings follow wall-clock milliseconds but never
 * go backwards, and a node that hears of a later reading moves past it, so a change made after
 * seeing another change always gets a higher version, even across POPs with skewed clocks.
 *
 * <p>Encoding: milliseconds in the high 48 bits (enough until the year 10889), a counter in the
 * low 16 bits for readings within the same millisecond. Thread-safe.
 */
public final class HybridClock {
  private static final int COUNTER_BITS = 16;
  private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;

  private final LongSupplier wallMillis;
  private long last;

  public HybridClock(LongSupplier wallMillis) {
    this.wallMillis = wallMillis;
  }

  public static HybridClock system() {
    return new HybridClock(System::currentTimeMillis);
  }

  /** A new reading, later than every reading so far and than {@code notBeforeMillis}. */
  public synchronized long tick(long notBeforeMillis) {
    long physical = Math.max(wallMillis.getAsLong(), notBeforeMillis) << COUNTER_BITS;
    last = physical > last ? physical : last + 1;
    return last;
  }

  public long tick() {
    return tick(0);
  }

  /** Moves past a reading seen from another node (so later local changes win over it). */
  public synchronized void observe(long remote) {
    if (Long.compareUnsigned(remote, last) > 0) {
      last = remote;
    }
  }

  public synchronized long last() {
    return last;
  }

  public static long millisOf(long hlc) {
    return hlc >>> COUNTER_BITS;
  }

  public static long fromMillis(long millis) {
    return millis << COUNTER_BITS;
  }
}
