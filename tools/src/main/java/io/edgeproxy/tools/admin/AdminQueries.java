package io.edgeproxy.tools.admin;

import io.edgeproxy.core.geo.ClientLocation;
import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.routing.AppRoutes;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.BackendLoad;
import io.edgeproxy.core.routing.Candidate;
import io.edgeproxy.core.routing.Hashing;
import io.edgeproxy.core.routing.RouteExplanation;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.tools.EdgeNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The admin endpoint's views of live routing state, for {@code edgeproxy route explain} and
 * {@code edgeproxy backends}: what only the running agent knows (connections, health-check
 * verdicts, ejections). Read-only; nothing is reserved.
 */
final class AdminQueries {
  private AdminQueries() {}

  /** A status and a body to serialize as JSON. */
  record Answer(HttpResponseStatus status, Object body) {}

  /** {@code GET /v1/route/explain?app=A&ip=IP}: the proxy's choice for that client on this POP, now. */
  static Answer explain(EdgeNode node, Map<String, List<String>> params) {
    String app = first(params, "app");
    String ip = first(params, "ip");
    InetAddress client = ip == null ? null : IpAddresses.parseLiteral(ip.strip()).orElse(null);
    if (app == null || app.isBlank() || client == null) {
      return new Answer(HttpResponseStatus.BAD_REQUEST, Map.of("error", "app " + (app == null ? "missing" : "'" + app + "'")
          + ", ip " + (ip == null ? "missing" : "'" + ip + "'") + " (expected: ?app=APP&ip=CLIENT-IP, an IPv4 or IPv6 address)"));
    }
    RoutingSnapshot snapshot = node.state().current();
    ClientLocation location = node.locator().locate(client, snapshot.regions());
    return new Answer(HttpResponseStatus.OK,
        RouteExplanation.explain(snapshot, app, location, Hashing.ofAddress(client), System.nanoTime()));
  }

  /**
   * {@code GET /v1/backends}: this node's routing.db, and per backend of the snapshot its
   * connections, the slots this POP may hold of its hard limit, and why it is down here, if it is.
   */
  static Map<String, Object> liveBackends(EdgeNode node) {
    RoutingSnapshot snapshot = node.state().current();
    long now = System.nanoTime();
    List<Map<String, Object>> backends = new ArrayList<>();
    for (Backend b : snapshot.backends()) {
      AppRoutes routes = snapshot.routesFor(b.app());
      Candidate c = routes == null ? null : routes.byId(b.id());
      if (c == null) {
        continue;
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", b.id());
      row.put("active", c.load().active());
      if (b.hardLimit() > 0) {
        row.put("limitHere", c.load().limitHere(b.hardLimit())); // this POP's share of the hard limit
      }
      row.put("downHere", downHere(c.load(), now));
      backends.add(row);
    }
    return Map.of("routingDb", node.config().node().dbPath().toAbsolutePath().toString(),
        "snapshotVersion", snapshot.version(), "backends", backends);
  }

  private static @Nullable String downHere(BackendLoad load, long now) {
    if (load.isCheckFailing()) {
      return "active health check failing";
    }
    return load.isEjected(now) ? "ejected after connect failures" : null;
  }

  private static @Nullable String first(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
