package io.edgeproxy.discovery;

import io.edgeproxy.sql.RoutingReloader;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts backends the API just wrote into the routing snapshot before the API answers, so a
 * registered backend is routable the moment its registration returns. Concurrent callers share
 * one refresh (group commit): whoever holds the lock applies every id queued so far, and a caller
 * whose id was in that batch returns without another one.
 */
final class SnapshotRefresher {
  private final RoutingReloader reloader;
  private final Set<String> queued = ConcurrentHashMap.newKeySet();
  private final AtomicLong requested = new AtomicLong();
  private long applied;

  SnapshotRefresher(RoutingReloader reloader) {
    this.reloader = reloader;
  }

  void refresh(String backendId) {
    queued.add(backendId);
    long ticket = requested.incrementAndGet(); // after the add: whoever reads this value drains our id
    synchronized (this) {
      if (applied >= ticket) {
        return;
      }
      long upTo = requested.get();
      Set<String> batch = new HashSet<>();
      for (String id : queued) {
        if (queued.remove(id)) {
          batch.add(id);
        }
      }
      reloader.refreshBackends(batch);
      applied = upTo;
    }
  }
}
