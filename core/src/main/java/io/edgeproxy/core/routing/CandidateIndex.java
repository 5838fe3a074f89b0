package io.edgeproxy.core.routing;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One app's backends by id, immutable: a base map plus the changes made since it was built. An
 * update copies only the changes, and they are folded into a new base once they outgrow a
 * sixteenth of the app, so updating an app of n backends with k changes costs about k plus n/16
 * amortised, not n: a registration in an app of 20,000 backends does not re-hash all 20,000.
 */
final class CandidateIndex {
  private static final Object GONE = new Object();

  private final Map<String, Candidate> base;
  /** Id -> the candidate now, or {@link #GONE}; ids not here are as in {@link #base}. */
  private final Map<String, Object> changes;

  private CandidateIndex(Map<String, Candidate> base, Map<String, Object> changes) {
    this.base = base;
    this.changes = changes;
  }

  static CandidateIndex of(List<Candidate> all) {
    Map<String, Candidate> byId = new HashMap<>(all.size() * 4 / 3 + 1);
    for (Candidate c : all) {
      byId.put(c.id(), c);
    }
    // An unmodifiable view, not a copy: the map is never touched again.
    return new CandidateIndex(Collections.unmodifiableMap(byId), Map.of());
  }

  @Nullable Candidate get(String id) {
    Object changed = changes.get(id);
    if (changed != null) {
      return changed == GONE ? null : (Candidate) changed;
    }
    return base.get(id);
  }

  /**
   * This index with {@code removed} gone and {@code added} in (an id in both ends up added);
   * {@code all} is the app's whole list after the change, for when a new base is due.
   */
  CandidateIndex with(Collection<Candidate> removed, List<Candidate> added, List<Candidate> all) {
    if (changes.size() + removed.size() + added.size() > Math.max(32, all.size() / 16)) {
      return of(all);
    }
    Map<String, Object> next = new HashMap<>(changes);
    for (Candidate c : removed) {
      next.put(c.id(), GONE);
    }
    for (Candidate c : added) {
      next.put(c.id(), c);
    }
    return new CandidateIndex(base, Collections.unmodifiableMap(next));
  }
}
