package io.edgeproxy.cache;

import io.edgeproxy.core.edge.CachePurge;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The last purges applied, numbered, so a response that was on its way from the origin when a
 * purge was applied is not stored after it (its fill began before the purge and ends after).
 */
final class RecentPurges {
  /** Purges remembered; a fill that began before the oldest one remembered is not stored. */
  static final int KEPT = 256;
  private final ArrayDeque<Numbered> last = new ArrayDeque<>();
  private long epoch;

  private record Numbered(long epoch, CachePurge purge) {}

  synchronized long epoch() {
    return epoch;
  }

  synchronized void applied(CachePurge purge) {
    epoch++;
    last.addLast(new Numbered(epoch, purge));
    if (last.size() > KEPT) {
      last.removeFirst();
    }
  }

  /** Did a purge applied after {@code since} select the response {@code key} with {@code tags}? */
  synchronized boolean selectedSince(long since, String key, List<String> tags) {
    if (since == epoch) {
      return false;
    }
    if (last.isEmpty() || last.peekFirst().epoch() > since + 1) {
      return true; // more purges since than remembered: assume one of them selects it
    }
    for (Numbered n : last) {
      if (n.epoch() > since && Purges.selects(n.purge(), key, tags)) {
        return true;
      }
    }
    return false;
  }
}
