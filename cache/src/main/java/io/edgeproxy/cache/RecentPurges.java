package io.edgeproxy.cache;

import io.edgeproxy.core.edge.CachePurge;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The last purges applied (and keys invalidated by unsafe methods), numbered, so a response that
 * was on its way from the origin, or from the disk into memory, when one of them was applied is not
 * stored after it (its fill began before and ends after).
 */
final class RecentPurges {
  /** Purges remembered; a fill that began before the oldest one remembered is not stored. */
  static final int KEPT = 256;
  private final ArrayDeque<Numbered> last = new ArrayDeque<>();
  private long epoch;

  /** A purge, or (purge null) the invalidation of exactly {@code key}. */
  private record Numbered(long epoch, @org.jspecify.annotations.Nullable CachePurge purge, @org.jspecify.annotations.Nullable String key) {
    boolean selects(String k, List<String> tags) {
      return purge == null ? k.equals(key) : Purges.selects(purge, k, tags);
    }
  }

  synchronized long epoch() {
    return epoch;
  }

  synchronized void applied(CachePurge purge) {
    remember(new Numbered(epoch + 1, purge, null));
  }

  /** {@code key} was invalidated (an unsafe method succeeded). */
  synchronized void invalidated(String key) {
    remember(new Numbered(epoch + 1, null, key));
  }

  private void remember(Numbered n) {
    epoch = n.epoch();
    last.addLast(n);
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
      if (n.epoch() > since && n.selects(key, tags)) {
        return true;
      }
    }
    return false;
  }
}
