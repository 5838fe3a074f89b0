package io.edgeproxy.core.routing;

import io.edgeproxy.core.geo.ClientLocation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Why the proxy would send a client of an app to the backend it picks: every backend of the app
 * with its tier, score and, when it cannot take the client, the reason; then the pick itself, made
 * by the same {@link GeoLoadBalancer} the proxy uses. Read-only: nothing is reserved. (A client
 * that already has an affinity binding keeps it while that backend stays usable.)
 *
 * @param picked the backend id the proxy would pick, or null when none can take the client
 * @param outcome the pick in words, or why there is none
 * @param candidates every backend of the app, best first
 */
public record RouteExplanation(String app, ClientLocation client, String popRegion, long snapshotVersion,
    @Nullable String picked, String outcome, List<Row> candidates) {

  /**
   * One backend as selection sees it.
   *
   * @param excluded why it cannot take the client, or null when it can
   */
  public record Row(String id, String region, @Nullable String country, String address, int tier, String tierMeaning,
      double score, int active, int weight, int softLimit, int hardLimit, @Nullable String excluded) {}

  public static RouteExplanation explain(RoutingSnapshot snapshot, String app, ClientLocation client, long tieBreak,
      long nowNanos) {
    AppRoutes routes = snapshot.routesFor(app);
    String pop = snapshot.popRegion();
    if (routes == null) {
      return new RouteExplanation(app, client, pop, snapshot.version(), null,
          "app '" + app + "' has no backends in routing.db", List.of());
    }
    List<Row> rows = new ArrayList<>();
    for (Candidate c : routes.all()) {
      Backend b = c.backend();
      int tier = Tier.of(b, client, pop);
      double score = tier * 100.0 + (b.weight() == 0 ? 0 : c.loadScore());
      String where = b.tunnel() != null ? "tunnel via " + b.tunnel().pop() // reached through the POP holding it
          : io.edgeproxy.core.geo.SocketAddresses.format(b.socketAddress()); // [v6]:port, as a client would write it
      rows.add(new Row(b.id(), b.region(), b.country(), where,
          tier, Tier.describe(tier), score, c.load().active(), b.weight(), b.softLimit(), b.hardLimit(),
          exclusion(c, nowNanos)));
    }
    rows.sort(Comparator.comparing((Row r) -> r.excluded() != null).thenComparingDouble(Row::score).thenComparing(Row::id));
    Selection selection = new GeoLoadBalancer().pick(routes, client, pop, tieBreak, Set.of(), nowNanos);
    return switch (selection) {
      case Selection.Picked p -> new RouteExplanation(app, client, pop, snapshot.version(), p.candidate().id(),
          "picks " + p.candidate().id() + ": tier " + p.tier() + " (" + Tier.describe(p.tier()) + "), score "
              + String.format(java.util.Locale.ROOT, "%.4f", p.score()) + ", the lowest among backends that can take the client",
          List.copyOf(rows));
      case Selection.NoHealthyBackend n -> new RouteExplanation(app, client, pop, snapshot.version(), null,
          "no backend of '" + app + "' accepts new clients (all unhealthy or drained)", List.copyOf(rows));
      case Selection.AllAtCapacity a -> new RouteExplanation(app, client, pop, snapshot.version(), null,
          "every usable backend of '" + app + "' is full or down on this POP", List.copyOf(rows));
    };
  }

  private static @Nullable String exclusion(Candidate c, long now) {
    Backend b = c.backend();
    if (!b.healthy()) {
      return "unhealthy in routing.db";
    }
    if (b.weight() == 0) {
      return "drained (weight 0)";
    }
    if (c.load().isCheckFailing()) {
      return "active health check failing on this POP";
    }
    if (c.load().isEjected(now)) {
      return "ejected on this POP after connect failures";
    }
    if (c.load().isFull(b.hardLimit())) {
      int here = c.load().limitHere(b.hardLimit());
      return "full (" + c.load().active() + " of " + (here < b.hardLimit() ? "this POP's share " + here + " of " : "")
          + "hard limit " + b.hardLimit() + ")";
    }
    return null;
  }
}
