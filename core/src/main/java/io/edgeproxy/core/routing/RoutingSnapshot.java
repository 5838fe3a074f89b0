package io.edgeproxy.core.routing;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.geo.RegionMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, versioned view of routing.db, indexed per app for selection. Readers (proxy, DNS,
 * API) take the current one from {@link RoutingState} and use it for one decision; a reload builds
 * a new one and swaps it in atomically, so a decision never sees half an update.
 */
public final class RoutingSnapshot {
  /** The app name a listener uses to serve every app's backends, as the original did. */
  public static final String ANY_APP = "*";

  private final long version;
  private final String popRegion;
  private final RoutingData data;
  private final Map<String, AppRoutes> apps;
  /** Routes over every app's backends, built on first use: only a listener for '*' needs them. */
  private volatile @Nullable AppRoutes anyApp;

  private RoutingSnapshot(long version, String popRegion, RoutingData data, Map<String, AppRoutes> apps) {
    this.version = version;
    this.popRegion = popRegion;
    this.data = data;
    this.apps = apps;
  }

  /**
   * Indexes {@code data}. Cost is linear in the number of backends; each backend's live load is
   * taken from {@code board} so counts carry over from the previous snapshot.
   */
  public static RoutingSnapshot build(long version, RoutingData data, String popRegion, LoadBoard board) {
    requireNonNull(popRegion, "popRegion");
    Map<String, List<Candidate>> perApp = new HashMap<>();
    Set<String> ids = new HashSet<>(data.backends().size() * 4 / 3 + 1);
    for (Backend b : data.backends()) {
      Candidate c = new Candidate(b, board.loadOf(b.id()));
      ids.add(b.id());
      perApp.computeIfAbsent(b.app(), k -> new ArrayList<>()).add(c);
    }
    board.retainOnly(ids);
    Map<String, AppRoutes> apps = new HashMap<>();
    perApp.forEach((app, list) -> apps.put(app, AppRoutes.build(app, list)));
    return new RoutingSnapshot(version, popRegion, data, Map.copyOf(apps));
  }

  /**
   * This snapshot with some backends replaced: {@code data} is the new whole data, {@code changes}
   * the backends that differ from this snapshot's (by id; null: gone). Only the apps those backends
   * belong to (before or after) change, and within them only the groups the backends are in
   * ({@link AppRoutes#with}), so a registration costs in proportion to the change and a few array
   * copies, not to its app's size or to every backend. Loads of backends gone stay
   * on the board until the next full {@link #build}.
   */
  public RoutingSnapshot withChanges(long nextVersion, RoutingData data, Map<String, @Nullable Backend> changes,
      LoadBoard board) {
    Set<String> touched = new HashSet<>();
    for (Map.Entry<String, @Nullable Backend> e : changes.entrySet()) {
      if (e.getValue() != null) {
        touched.add(e.getValue().app());
      }
    }
    for (Map.Entry<String, AppRoutes> app : apps.entrySet()) {
      for (String id : changes.keySet()) {
        if (app.getValue().byId(id) != null) {
          touched.add(app.getKey());
          break;
        }
      }
    }
    Map<String, AppRoutes> next = new HashMap<>(apps);
    for (String app : touched) {
      AppRoutes before = apps.get(app);
      List<Candidate> removed = new ArrayList<>();
      List<Candidate> added = new ArrayList<>();
      for (Map.Entry<String, @Nullable Backend> e : changes.entrySet()) {
        Candidate old = before == null ? null : before.byId(e.getKey());
        if (old != null) {
          removed.add(old);
        }
        Backend b = e.getValue();
        if (b != null && b.app().equals(app)) {
          added.add(new Candidate(b, board.loadOf(b.id())));
        }
      }
      AppRoutes after = before == null ? AppRoutes.build(app, added) : before.with(removed, added);
      if (after.all().isEmpty()) {
        next.remove(app);
      } else {
        next.put(app, after);
      }
    }
    return new RoutingSnapshot(nextVersion, popRegion, data, Map.copyOf(next));
  }

  public static RoutingSnapshot empty(String popRegion) {
    return build(0, RoutingData.of(List.of()), popRegion, new LoadBoard());
  }

  public long version() {
    return version;
  }

  public String popRegion() {
    return popRegion;
  }

  public RegionMap regions() {
    return data.regions();
  }

  public List<Backend> backends() {
    return data.backends();
  }

  public RoutingData data() {
    return data;
  }

  /** The routes of {@code app} ({@link #ANY_APP} for all apps), or null if it has no backends. */
  public @Nullable AppRoutes routesFor(String app) {
    return ANY_APP.equals(app) ? anyAppRoutes() : apps.get(app);
  }

  private AppRoutes anyAppRoutes() {
    AppRoutes routes = anyApp;
    if (routes == null) {
      List<Candidate> everyone = new ArrayList<>(data.backends().size());
      for (Backend b : data.backends()) { // in routing.db's order, as the apps' own sets
        AppRoutes app = apps.get(b.app());
        Candidate c = app == null ? null : app.byId(b.id());
        if (c != null) {
          everyone.add(c);
        }
      }
      routes = AppRoutes.build(ANY_APP, everyone); // a race builds it twice, identically: harmless
      anyApp = routes;
    }
    return routes;
  }

  /** The backend with this id (healthy or not), or null when the snapshot has none. */
  public @Nullable Backend backend(String id) {
    for (AppRoutes app : apps.values()) { // few apps; each lookup is a hash probe
      Candidate c = app.byId(id);
      if (c != null) {
        return c.backend();
      }
    }
    return null;
  }

  /** Names of apps that have at least one backend row. */
  public Set<String> appNames() {
    return apps.keySet();
  }

  /**
   * The apps a host name may reach (the HTTPS edge's {@code <app>.<domain>}, ACME's names): those
   * with backends and those with a row in {@code apps} (which get 503 while they have no backend).
   */
  public java.util.Set<String> namedApps() {
    java.util.Set<String> out = new java.util.HashSet<>(apps.keySet());
    out.addAll(data.apps().keySet());
    return out;
  }

  public AppSettings settingsOf(String app) {
    AppSettings s = data.apps().get(app);
    return s != null ? s : AppSettings.defaults(app);
  }
}
