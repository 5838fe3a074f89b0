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
  private final int splitBeforeShares;
  private Set<String> previousIds = Set.of();

  /** The board of a POP with no other POP to share hard limits with. */
  public LoadBoard() {
    this(1);
  }

  /**
   * @param splitBeforeShares the POPs this one shares hard limits with (itself included): until a
   *     backend's share is set, this POP admits an even split of its limit (see {@link LimitSharing})
   */
  public LoadBoard(int splitBeforeShares) {
    this.splitBeforeShares = splitBeforeShares;
  }

  /** The load of {@code backendId}, created on first use. */
  public BackendLoad loadOf(String backendId) {
    BackendLoad load = loads.get(backendId); // almost always there: no lock taken then
    return load != null ? load : loads.computeIfAbsent(backendId, id -> new BackendLoad(splitBeforeShares));
  }

  /**
   * Forgets idle backends that are in neither this nor the previous snapshot, so the board stays
   * bounded. The one-snapshot grace keeps a load alive while a decision on the previous snapshot
   * may still reserve a slot on it (the hard limit must hold if the backend comes back).
   */
  public synchronized void retainOnly(Set<String> liveIds) {
    if (loads.size() == liveIds.size()) { // every live id has a load, so these are all of them: nothing to forget
      previousIds = liveIds;
      return;
    }
    Set<String> keep = previousIds;
    loads.entrySet().removeIf(e -> !liveIds.contains(e.getKey()) && !keep.contains(e.getKey()) && e.getValue().active() == 0);
    previousIds = liveIds; // the caller's set, built for this snapshot and not changed afterwards
  }

  /** A read-only view for metrics and status. */
  public Map<String, BackendLoad> view() {
    return java.util.Collections.unmodifiableMap(loads);
  }
}
