package io.edgeproxy.cache;

import io.edgeproxy.core.edge.CachePurge;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last purges applied and keys invalidated by unsafe methods, numbered, so a response that was
 * on its way from the origin, or from the disk into memory, when one of them was applied is not
 * stored after it (its fill began before and ends after). Purges are rare and kept in order (the
 * last {@link #KEPT_PURGES}); invalidations can come at every POST, so they are kept by key (the
 * last {@link #KEPT_KEYS} keys): a busy app's writes never make another key's fill look purged.
 */
final class RecentPurges {
  /** Purges remembered; a fill that began before the oldest one remembered is not stored. */
  static final int KEPT_PURGES = 256;
  /** Keys whose last invalidation is remembered; a fill that began before the last one forgotten is not stored. */
  static final int KEPT_KEYS = 10_000;
  private final ArrayDeque<Numbered> purges = new ArrayDeque<>();
  private final Map<String, Long> invalidated = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      if (size() > KEPT_KEYS) {
        forgottenUpTo = eldest.getValue();
        return true;
      }
      return false;
    }
  };
  private long epoch;
  private long forgottenUpTo; // the newest invalidation no longer remembered
  private long purgesForgottenUpTo; // the newest purge no longer remembered

  private record Numbered(long epoch, CachePurge purge) {}

  synchronized long epoch() {
    return epoch;
  }

  synchronized void applied(CachePurge purge) {
    epoch++;
    purges.addLast(new Numbered(epoch, purge));
    if (purges.size() > KEPT_PURGES) {
      purgesForgottenUpTo = purges.removeFirst().epoch();
    }
  }

  /** {@code key} was invalidated (an unsafe method succeeded). */
  synchronized void invalidated(String key) {
    epoch++;
    invalidated.remove(key); // to the end: the newest
    invalidated.put(key, epoch);
  }

  /** Did a purge or invalidation applied after {@code since} select the response {@code key} with {@code tags}? */
  synchronized boolean selectedSince(long since, String key, List<String> tags) {
    if (since == epoch) {
      return false;
    }
    if (since < purgesForgottenUpTo || since < forgottenUpTo) {
      return true; // more since than remembered: assume one of them selects it
    }
    Long last = invalidated.get(key);
    if (last != null && last > since) {
      return true;
    }
    for (Numbered n : purges) {
      if (n.epoch() > since && Purges.selects(n.purge(), key, tags)) {
        return true;
      }
    }
    return false;
  }
}
