package io.edgeproxy.core.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One app's backends, indexed for selection: candidates that accept new clients grouped by
 * country and by region, plus all of them, and every backend (healthy or not) by id for affinity
 * checks and explanations. Built once per snapshot; immutable.
 */
public final class AppRoutes {
  private final String app;
  private final List<Candidate> ordered;
  private final CandidateIndex byId;
  private final Map<String, CandidateSet> byCountry;
  private final Map<String, CandidateSet> byRegion;
  private final CandidateSet eligible;

  private AppRoutes(
      String app,
      List<Candidate> ordered,
      CandidateIndex byId,
      Map<String, CandidateSet> byCountry,
      Map<String, CandidateSet> byRegion,
      CandidateSet eligible) {
    this.app = app;
    this.ordered = ordered;
    this.byId = byId;
    this.byCountry = byCountry;
    this.byRegion = byRegion;
    this.eligible = eligible;
  }

  static AppRoutes build(String app, List<Candidate> candidates) {
    Map<String, List<Candidate>> countries = new HashMap<>();
    Map<String, List<Candidate>> regions = new HashMap<>();
    List<Candidate> eligible = new ArrayList<>();
    for (Candidate c : candidates) {
      Backend b = c.backend();
      if (!b.acceptsNewClients()) {
        continue;
      }
      eligible.add(c);
      if (b.country() != null) {
        countries.computeIfAbsent(b.country(), k -> new ArrayList<>()).add(c);
      }
      regions.computeIfAbsent(b.region(), k -> new ArrayList<>()).add(c);
    }
    Map<String, CandidateSet> byCountry = new HashMap<>();
    countries.forEach((key, list) -> byCountry.put(key, new CandidateSet(list)));
    Map<String, CandidateSet> byRegion = new HashMap<>();
    regions.forEach((key, list) -> byRegion.put(key, new CandidateSet(list)));
    return new AppRoutes(app, Collections.unmodifiableList(candidates), CandidateIndex.of(candidates),
        Collections.unmodifiableMap(byCountry), Collections.unmodifiableMap(byRegion), new CandidateSet(eligible));
  }

  /**
   * These routes with {@code removed} (candidates of these routes) left out and {@code added}
   * appended: the routes {@link #build} gives for that list, in the same order, but made by copying
   * arrays and touching only the groups the change is in. A registration in a large app costs in
   * proportion to the change (plus array copies), not to the app.
   */
  AppRoutes with(List<Candidate> removed, List<Candidate> added) {
    Set<Candidate> gone = Collections.newSetFromMap(new IdentityHashMap<>());
    gone.addAll(removed);
    List<Candidate> all = new ArrayList<>(ordered.size() - gone.size() + added.size());
    if (gone.isEmpty()) {
      all.addAll(ordered);
    } else {
      for (Candidate c : ordered) {
        if (!gone.contains(c)) {
          all.add(c);
        }
      }
    }
    all.addAll(added);
    GroupChanges countries = new GroupChanges();
    GroupChanges regions = new GroupChanges();
    GroupChanges allEligible = new GroupChanges();
    for (Candidate c : gone) {
      if (c.backend().acceptsNewClients()) {
        countries.remove(c.backend().country(), c);
        regions.remove(c.backend().region(), c);
        allEligible.remove("", c);
      }
    }
    for (Candidate c : added) {
      if (c.backend().acceptsNewClients()) {
        countries.add(c.backend().country(), c);
        regions.add(c.backend().region(), c);
        allEligible.add("", c);
      }
    }
    return new AppRoutes(app, Collections.unmodifiableList(all), byId.with(gone, added, all), countries.applyTo(byCountry),
        regions.applyTo(byRegion), allEligible.applyTo(Map.of("", eligible)).getOrDefault("", CandidateSet.EMPTY));
  }

  /** Members leaving and joining groups (by key: a country, a region), applied to sets in one go. */
  private static final class GroupChanges {
    private final Map<String, Set<Candidate>> removed = new HashMap<>();
    private final Map<String, List<Candidate>> added = new HashMap<>();

    void remove(@Nullable String key, Candidate c) {
      if (key != null) {
        removed.computeIfAbsent(key, k -> Collections.newSetFromMap(new IdentityHashMap<>())).add(c);
      }
    }

    void add(@Nullable String key, Candidate c) {
      if (key != null) {
        added.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
      }
    }

    Map<String, CandidateSet> applyTo(Map<String, CandidateSet> groups) {
      if (removed.isEmpty() && added.isEmpty()) {
        return groups;
      }
      Map<String, CandidateSet> next = new HashMap<>(groups);
      Set<String> keys = new HashSet<>(removed.keySet());
      keys.addAll(added.keySet());
      for (String key : keys) {
        CandidateSet set = groups.getOrDefault(key, CandidateSet.EMPTY)
            .with(removed.getOrDefault(key, Set.of()), added.getOrDefault(key, List.of()));
        if (set.size() == 0) {
          next.remove(key);
        } else {
          next.put(key, set);
        }
      }
      return Collections.unmodifiableMap(next);
    }
  }

  public String app() {
    return app;
  }

  /** A backend of this app by id, healthy or not; null if the app has no such backend. */
  public @Nullable Candidate byId(String id) {
    return byId.get(id);
  }

  /**
   * Every backend of this app (healthy or not), in routing.db's order: the order the candidate sets
   * have, so a snapshot updated in place indexes exactly as one built from scratch.
   */
  public List<Candidate> all() {
    return ordered;
  }

  /** Number of backends that accept new clients (healthy, weight > 0). */
  public int eligibleCount() {
    return eligible.size();
  }

  CandidateSet inCountry(String country) {
    return byCountry.getOrDefault(country, CandidateSet.EMPTY);
  }

  CandidateSet inRegion(String region) {
    return byRegion.getOrDefault(region, CandidateSet.EMPTY);
  }

  CandidateSet eligible() {
    return eligible;
  }
}
