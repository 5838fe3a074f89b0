package io.edgeproxy.core.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One app's backends, indexed for selection: candidates that accept new clients grouped by
 * country and by region, plus all of them, and every backend (healthy or not) by id for affinity
 * checks and explanations. Built once per snapshot; immutable.
 */
public final class AppRoutes {
  private final String app;
  private final List<Candidate> ordered;
  private final Map<String, Candidate> byId;
  private final Map<String, CandidateSet> byCountry;
  private final Map<String, CandidateSet> byRegion;
  private final CandidateSet eligible;

  private AppRoutes(
      String app,
      List<Candidate> ordered,
      Map<String, Candidate> byId,
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
    Map<String, Candidate> byId = new HashMap<>(candidates.size() * 4 / 3 + 1);
    Map<String, List<Candidate>> countries = new HashMap<>();
    Map<String, List<Candidate>> regions = new HashMap<>();
    List<Candidate> eligible = new ArrayList<>();
    for (Candidate c : candidates) {
      byId.put(c.id(), c);
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
    // Unmodifiable views, not copies: these maps are never touched again (a copy of a 100,000-entry
    // map is a noticeable part of every snapshot rebuild).
    return new AppRoutes(app, java.util.Collections.unmodifiableList(candidates), java.util.Collections.unmodifiableMap(byId),
        index(countries), index(regions),
        new CandidateSet(eligible));
  }

  private static Map<String, CandidateSet> index(Map<String, List<Candidate>> groups) {
    Map<String, CandidateSet> out = new HashMap<>();
    groups.forEach((key, list) -> out.put(key, new CandidateSet(list)));
    return java.util.Collections.unmodifiableMap(out);
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
  public java.util.Collection<Candidate> all() {
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
