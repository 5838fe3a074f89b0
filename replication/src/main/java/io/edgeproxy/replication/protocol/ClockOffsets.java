package io.edgeproxy.replication.protocol;

import java.util.ArrayDeque;

/**
 * A peer's clock offset, measured NTP-style (RFC 5905 §8) from ping/pong exchanges on the push
 * stream: offset = ((t2 - t1) + (t3 - t4)) / 2, the round trip taken out; of the last
 * {@link #SAMPLES} exchanges the one with the shortest round trip is believed (its offset is the
 * least disturbed by queueing). Not thread-safe: the node's thread only; {@link #snapshot} is a value.
 */
final class ClockOffsets {
  static final int SAMPLES = 8;

  /** One exchange. */
  record Sample(long offsetMillis, long rttMillis) {
    /**
     * True when the peer's clock is surely further off than {@code boundMillis}: the true offset
     * lies within half the round trip of the measured one (the two legs may differ by that much,
     * e.g. a reply queued behind a backlog), so only what is beyond the bound by more than that
     * counts. A clean exchange on a short path tells a 3 s skew at once; a slow one never flags a
     * sound clock.
     */
    boolean beyond(long boundMillis) {
      return Math.abs(offsetMillis) - rttMillis / 2 > boundMillis;
    }
  }

  private final ArrayDeque<Sample> samples = new ArrayDeque<>();

  /**
   * @param t1 ping sent (our clock)
   * @param t2 ping received (theirs)
   * @param t3 pong sent (theirs)
   * @param t4 pong received (ours)
   */
  void record(long t1, long t2, long t3, long t4) {
    long rtt = Math.max(0, (t4 - t1) - (t3 - t2));
    long offset = Math.floorDiv((t2 - t1) + (t3 - t4), 2);
    samples.addLast(new Sample(offset, rtt));
    while (samples.size() > SAMPLES) {
      samples.removeFirst();
    }
  }

  /** The believed sample (the peer's clock minus ours), or null before the first exchange. */
  Sample best() {
    Sample best = null;
    for (Sample s : samples) {
      if (best == null || s.rttMillis() < best.rttMillis()) {
        best = s;
      }
    }
    return best;
  }
}
