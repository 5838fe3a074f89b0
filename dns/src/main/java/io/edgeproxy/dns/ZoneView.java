package io.edgeproxy.dns;

import io.edgeproxy.core.routing.AppRoutes;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.Candidate;
import io.edgeproxy.core.routing.RoutingSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One {@link RoutingSnapshot} indexed for DNS: apps and backend ids by lower-case name, each app's
 * backends sorted by id. Built once per snapshot version, immutable; live state (a backend full or
 * down on this POP) is read per query from the candidates' loads, as the proxy does.
 */
final class ZoneView {
  private final RoutingSnapshot snapshot;
  private final Map<String, AppEntry> apps;
  private final List<String> appNames;
  private final Set<String> regions;
  private final boolean dottedApps;

  private ZoneView(RoutingSnapshot snapshot, Map<String, AppEntry> apps, List<String> appNames, Set<String> regions) {
    this.snapshot = snapshot;
    this.apps = apps;
    this.appNames = appNames;
    this.regions = regions;
    this.dottedApps = appNames.stream().anyMatch(a -> a.indexOf('.') >= 0);
  }

  /** Indexes {@code snapshot}; linear in its backends. */
  static ZoneView of(RoutingSnapshot snapshot) {
    Map<String, AppEntry> apps = new HashMap<>();
    for (String app : new TreeSet<>(snapshot.appNames())) {
      AppRoutes routes = snapshot.routesFor(app);
      if (routes != null) {
        apps.putIfAbsent(app.toLowerCase(Locale.ROOT), AppEntry.of(app, routes)); // apps differing only in case: the first wins
      }
    }
    Set<String> regions = new HashSet<>(snapshot.regions().regions());
    snapshot.backends().forEach(b -> regions.add(b.region()));
    return new ZoneView(snapshot, Map.copyOf(apps), List.copyOf(new TreeSet<>(snapshot.appNames())), Set.copyOf(regions));
  }

  RoutingSnapshot snapshot() {
    return snapshot;
  }

  @Nullable AppEntry app(String lowerName) {
    return apps.get(lowerName);
  }

  /** App names with at least one backend row, sorted. */
  List<String> appNames() {
    return appNames;
  }

  List<AppEntry> appEntries() {
    List<AppEntry> out = new ArrayList<>(apps.values());
    out.sort(Comparator.comparing(AppEntry::name));
    return out;
  }

  boolean isKnownRegion(String region) {
    return regions.contains(region);
  }

  boolean hasDottedApps() {
    return dottedApps;
  }

  /**
   * One app: every backend (healthy or not) sorted by id, and those that accept new clients by
   * routing.db (healthy, weight above 0), which a query still filters by live load.
   */
  record AppEntry(String name, List<Candidate> all, List<Candidate> accepting, Map<String, Candidate> idsInLowerCase) {
    static AppEntry of(String name, AppRoutes routes) {
      List<Candidate> all = new ArrayList<>(routes.all());
      all.sort(Comparator.comparing(Candidate::id));
      List<Candidate> accepting = new ArrayList<>();
      Map<String, Candidate> byId = new HashMap<>();
      for (Candidate c : all) {
        Backend b = c.backend();
        if (b.acceptsNewClients()) {
          accepting.add(c);
        }
        byId.putIfAbsent(c.id().toLowerCase(Locale.ROOT), c);
      }
      return new AppEntry(name, List.copyOf(all), List.copyOf(accepting), Map.copyOf(byId));
    }

    @Nullable Candidate byLowerId(String id) {
      return idsInLowerCase.get(id);
    }
  }
}
