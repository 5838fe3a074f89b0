package io.edgeproxy.core.change;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., 2014): readings follow wall-clock milliseconds but never
 * go backwards, and a node that hears of a later reading moves past it, so a change made after
 * seeing another change always gets a higher version, even across POPs with skewed clocks.
 *
 * <p>The skew bound keeps one bad clock from dragging every other along: a remote reading further
 * ahead of this node's wall clock than {@code maxSkew} is not observed ({@link #observe} says so),
 * and the change carrying it is held until this clock reaches it (as CockroachDB's max offset).
 *
 * <p>Encoding: milliseconds in the high 48 bits (enough until the year 10889), a counter in the
 * low 16 bits for readings within the same millisecond. Thread-safe.
 */
public final class HybridClock {
  private static final int COUNTER_BITS = 16;

  private final LongSupplier wallMillis;
  private final long maxSkewMillis;
  private long last;

  /** A clock over {@code wallMillis} that observes remote readings at most {@code maxSkew} ahead of it. */
  public HybridClock(LongSupplier wallMillis, Duration maxSkew) {
    this.wallMillis = wallMillis;
    this.maxSkewMillis = maxSkew.toMillis();
  }

  /** A clock without a skew bound (every remote reading is observed): for tools and tests. */
  public HybridClock(LongSupplier wallMillis) {
    this(wallMillis, Duration.ofMillis(Long.MAX_VALUE / 4));
  }

  public static HybridClock system(Duration maxSkew) {
    return new HybridClock(System::currentTimeMillis, maxSkew);
  }

  /** A new reading, later than every reading so far. */
  public synchronized long tick() {
    long physical = wallMillis.getAsLong() << COUNTER_BITS;
    last = physical > last ? physical : last + 1;
    return last;
  }

  /**
   * Moves past a reading seen from another node, so later local changes win over it; unless it is
   * more than the skew bound ahead of this node's wall clock.
   *
   * @return false when the reading was too far ahead and the clock did not move
   */
  public synchronized boolean observe(long remote) {
    if (tooFarAhead(remote)) {
      return false;
    }
    if (Long.compareUnsigned(remote, last) > 0) {
      last = remote;
    }
    return true;
  }

  /**
   * Moves past a reading this node itself issued earlier (read back from routing.db at start):
   * never refused, so a clock that went back while the node was down still versions later
   * changes above its earlier ones.
   */
  public synchronized void restore(long issued) {
    if (Long.compareUnsigned(issued, last) > 0) {
      last = issued;
    }
  }

  /** True when {@code hlc} is further ahead of this node's wall clock than the skew bound allows. */
  public boolean tooFarAhead(long hlc) {
    return millisOf(hlc) - wallMillis() > maxSkewMillis;
  }

  public long maxSkewMillis() {
    return maxSkewMillis;
  }

  public long wallMillis() {
    return wallMillis.getAsLong();
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
