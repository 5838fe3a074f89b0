package io.edgeproxy.core.routing;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The POP's {@link BackendLoad} per backend id. Snapshots resolve their backends' loads here once,
 * at build time, so the hot path never looks anything up by id.
 */
public final class LoadBoard {
  private final ConcurrentHashMap<String, BackendLoad> loads = new ConcurrentHashMap<>();

  /** The load of {@code backendId}, created on first use. */
  public BackendLoad loadOf(String backendId) {
    return loads.computeIfAbsent(backendId, id -> new BackendLoad());
  }

  /** Forgets idle backends that are no longer in routing.db, so the board stays bounded. */
  public void retainOnly(Set<String> liveIds) {
    loads.entrySet().removeIf(e -> !liveIds.contains(e.getKey()) && e.getValue().active() == 0);
  }

  /** A read-only view for metrics and status. */
  public Map<String, BackendLoad> view() {
    return java.util.Collections.unmodifiableMap(loads);
  }
}
