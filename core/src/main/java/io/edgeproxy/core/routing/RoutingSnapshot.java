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
  private final List<Candidate> everyone;
  /** Routes over every app's backends, built on first use: only a listener for '*' needs them. */
  private volatile @Nullable AppRoutes anyApp;

  private RoutingSnapshot(
      long version, String popRegion, RoutingData data, Map<String, AppRoutes> apps, List<Candidate> everyone) {
    this.version = version;
    this.popRegion = popRegion;
    this.data = data;
    this.apps = apps;
    this.everyone = everyone;
  }

  /**
   * Indexes {@code data}. Cost is linear in the number of backends; each backend's live load is
   * taken from {@code board} so counts carry over from the previous snapshot.
   */
  public static RoutingSnapshot build(long version, RoutingData data, String popRegion, LoadBoard board) {
    requireNonNull(popRegion, "popRegion");
    Map<String, List<Candidate>> perApp = new HashMap<>();
    List<Candidate> everyone = new ArrayList<>(data.backends().size());
    Set<String> ids = new HashSet<>(data.backends().size() * 4 / 3 + 1);
    for (Backend b : data.backends()) {
      Candidate c = new Candidate(b, board.loadOf(b.id()));
      ids.add(b.id());
      everyone.add(c);
      perApp.computeIfAbsent(b.app(), k -> new ArrayList<>()).add(c);
    }
    board.retainOnly(ids);
    Map<String, AppRoutes> apps = new HashMap<>();
    perApp.forEach((app, list) -> apps.put(app, AppRoutes.build(app, list)));
    return new RoutingSnapshot(version, popRegion, data, Map.copyOf(apps), everyone);
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
      routes = AppRoutes.build(ANY_APP, everyone); // a race builds it twice, identically: harmless
      anyApp = routes;
    }
    return routes;
  }

  /** Names of apps that have at least one backend row. */
  public Set<String> appNames() {
    return apps.keySet();
  }

  public AppSettings settingsOf(String app) {
    AppSettings s = data.apps().get(app);
    return s != null ? s : AppSettings.defaults(app);
  }
}
