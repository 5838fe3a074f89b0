package io.edgeproxy.sql;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The lease of every registered backend as the routing snapshot last saw it, and the instants at
 * which one of them changes state (see {@link LeaseRule}), so the snapshot is re-derived for just
 * those backends when their time comes instead of on a scan. Not thread-safe: the reloader owns it.
 */
final class LeaseBook {
  private final LeaseRule rule;
  private final Map<String, Long> expiresById = new HashMap<>();
  private final NavigableMap<Long, Set<String>> boundaries = new TreeMap<>();

  LeaseBook(LeaseRule rule) {
    this.rule = rule;
  }

  LeaseRule rule() {
    return rule;
  }

  void replaceAll(Map<String, Long> leases) {
    expiresById.clear();
    boundaries.clear();
    leases.forEach(this::put);
  }

  /** Records {@code id}'s lease end ({@code null}: it has no registration). */
  void put(String id, @Nullable Long expiresMs) {
    Long before = expiresMs == null ? expiresById.remove(id) : expiresById.put(id, expiresMs);
    if (before != null) {
      for (long at : rule.boundaries(before)) {
        Set<String> ids = boundaries.get(at);
        if (ids != null && ids.remove(id) && ids.isEmpty()) {
          boundaries.remove(at);
        }
      }
    }
    if (expiresMs != null) {
      for (long at : rule.boundaries(expiresMs)) {
        boundaries.computeIfAbsent(at, k -> new HashSet<>()).add(id);
      }
    }
  }

  /** The lease state of {@code id} at {@code nowMs}, or null when it has no registration. */
  LeaseRule.@Nullable State stateOf(String id, long nowMs) {
    Long expires = expiresById.get(id);
    return expires == null ? null : rule.stateAt(expires, nowMs);
  }

  /** Backends whose state changed at or before {@code nowMs} since the last call. */
  Set<String> dueUpTo(long nowMs) {
    Set<String> due = new HashSet<>();
    while (!boundaries.isEmpty() && boundaries.firstKey() <= nowMs) {
      due.addAll(boundaries.pollFirstEntry().getValue());
    }
    return due;
  }
}
