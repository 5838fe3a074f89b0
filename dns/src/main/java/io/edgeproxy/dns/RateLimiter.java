package io.edgeproxy.dns;

import io.edgeproxy.core.routing.Hashing;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Response rate limiting per source network, like BIND's RRL: a source /24 (IPv4) or /56 (IPv6)
 * may get {@code perSecond} UDP responses a second, with a burst of one second's worth. Over the
 * limit, responses are dropped, except every second one, which is sent as an empty truncated
 * response ("slip"): a real client behind a spoofed flood then retries over TCP, which is never
 * limited (TCP cannot be spoofed), while the amplification factor stays below 1.
 *
 * <p>Memory is bounded: a fixed table of {@value #SLOTS} buckets indexed by a hash of the network.
 * Two networks sharing a slot evict each other, and an evicted network starts with a full bucket:
 * the table errs on the side of answering. Thread-safe (striped locks).
 */
final class RateLimiter {
  static final int SLOTS = 1 << 16;
  private static final int STRIPES = 64;

  /** What to do with one response. */
  enum Verdict { ANSWER, DROP, SLIP }

  private final long costNanos;
  private final long burstNanos;
  private final long[] keys = new long[SLOTS];
  /** Per slot: the theoretical arrival time of the next response (GCRA), in nanoTime units. */
  private final long[] due = new long[SLOTS];
  private final int[] dropped = new int[SLOTS];
  private final Object[] locks = new Object[STRIPES];

  RateLimiter(int perSecond) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("perSecond: " + perSecond + " (expected: >= 1)");
    }
    this.costNanos = 1_000_000_000L / perSecond;
    this.burstNanos = 1_000_000_000L - costNanos;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  Verdict check(InetAddress source, long nowNanos) {
    long key = networkOf(source);
    int slot = (int) (Hashing.mix64(key) & (SLOTS - 1));
    synchronized (locks[slot & (STRIPES - 1)]) {
      if (keys[slot] != key) {
        keys[slot] = key;
        due[slot] = nowNanos;
        dropped[slot] = 0;
      }
      long tat = Math.max(due[slot], nowNanos);
      if (tat - nowNanos <= burstNanos) {
        due[slot] = tat + costNanos;
        return Verdict.ANSWER;
      }
      return (++dropped[slot] & 1) == 0 ? Verdict.SLIP : Verdict.DROP;
    }
  }

  /** The source's /24 or /56 as a key; never 0, the empty slot's key. */
  static long networkOf(InetAddress source) {
    byte[] a = source.getAddress();
    long key = 0;
    int bytes = source instanceof Inet4Address ? 3 : 7;
    for (int i = 0; i < bytes; i++) {
      key = (key << 8) | (a[i] & 0xFF);
    }
    return (key << 1 | 1) ^ ((long) bytes << 60);
  }
}
