package io.edgeproxy.discovery;

import io.edgeproxy.core.geo.ClientLocation;
import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.Hashing;
import io.edgeproxy.core.routing.RouteExplanation;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.sql.Registration;
import io.edgeproxy.sql.RegistrationLease;
import io.edgeproxy.sql.Registrations;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The API's routes: method and path to an answer. Runs on a virtual thread per request (writes
 * wait for routing.db). Paths and bodies of the original's API are kept.
 */
final class ApiRouter {
  static final String OPENAPI_RESOURCE = "io/edgeproxy/discovery/openapi.yaml";
  static final String STATUS_PAGE_RESOURCE = "io/edgeproxy/discovery/status.html";
  /** uPlot, the status page's charts (see vendor/uplot/VENDORED.md). */
  static final String UPLOT_JS = "io/edgeproxy/discovery/vendor/uplot/uPlot.iife.min.js";
  static final String UPLOT_CSS = "io/edgeproxy/discovery/vendor/uplot/uPlot.min.css";
  static final String CHARTS_JS = "io/edgeproxy/discovery/status-charts.js";
  private static final String PREFIX = "/api/v1/";

  private final ApiContext context;
  private final Authenticator auth;
  private final SnapshotRefresher refresher;
  private final RegistrationBatcher batcher;
  private final String openApi = resource(OPENAPI_RESOURCE);
  private final String statusPage = resource(STATUS_PAGE_RESOURCE);
  private final String uplotJs = resource(UPLOT_JS);
  private final String uplotCss = resource(UPLOT_CSS);
  private final String chartsJs = resource(CHARTS_JS);

  ApiRouter(ApiContext context) {
    this.context = context;
    this.auth = new Authenticator(context.tokens());
    this.refresher = new SnapshotRefresher(context.reloader());
    this.batcher = new RegistrationBatcher(context);
  }

  /** Stops the registration writer; registrations still queued fail. */
  void close() {
    batcher.close();
  }

  /** A request as the router needs it. */
  record Request(String method, String path, Map<String, List<String>> query, @Nullable String authorization, byte[] body) {
    @Nullable String param(String name) {
      List<String> values = query.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  /** The route template a request matched, for metrics (bounded cardinality). */
  static String routeOf(String method, String path) {
    if (path.startsWith(PREFIX + "heartbeat/")) {
      return "/api/v1/heartbeat/{id}";
    }
    if (path.startsWith(PREFIX + "backends/")) {
      return "/api/v1/backends/{id}";
    }
    if (path.startsWith(PREFIX + "receipts/")) {
      return "/api/v1/receipts/{receipt}";
    }
    if (path.startsWith(PREFIX + "apps/") && path.endsWith("/purge")) {
      return "/api/v1/apps/{app}/purge";
    }
    return switch (path) {
      case "/health", "/metrics", "/", "/ui", "/ui/uplot.js", "/ui/uplot.css", "/ui/charts.js", PREFIX + "register", PREFIX + "backends",
          PREFIX + "members", PREFIX + "route/explain", PREFIX + "status", PREFIX + "history", PREFIX + "openapi.yaml" -> path;
      default -> "other";
    };
  }

  ApiResponse handle(Request r) {
    String path = r.path();
    switch (path) {
      case "/health":
        return only(r, "GET") ? health() : notAllowed(r, "GET");
      case "/metrics":
        return only(r, "GET") ? ApiResponse.text(200, "text/plain; version=0.0.4; charset=utf-8", context.metrics().get())
            : notAllowed(r, "GET");
      case "/", "/ui":
        return only(r, "GET") ? ApiResponse.text(200, "text/html; charset=utf-8", statusPage) : notAllowed(r, "GET");
      case "/ui/uplot.js":
        return only(r, "GET") ? ApiResponse.text(200, "text/javascript; charset=utf-8", uplotJs) : notAllowed(r, "GET");
      case "/ui/charts.js":
        return only(r, "GET") ? ApiResponse.text(200, "text/javascript; charset=utf-8", chartsJs) : notAllowed(r, "GET");
      case "/ui/uplot.css":
        return only(r, "GET") ? ApiResponse.text(200, "text/css; charset=utf-8", uplotCss) : notAllowed(r, "GET");
      case PREFIX + "openapi.yaml":
        return only(r, "GET") ? ApiResponse.text(200, "application/yaml", openApi) : notAllowed(r, "GET");
      default:
        break;
    }
    if (!path.startsWith(PREFIX)) {
      return notFound(path);
    }
    Caller caller;
    switch (auth.authenticate(r.authorization())) {
      case Authenticator.Result.Refused refused -> {
        return refused.response();
      }
      case Authenticator.Result.Known known -> caller = known.caller();
    }
    String rest = path.substring(PREFIX.length());
    if (rest.equals("register")) {
      return only(r, "POST") ? register(caller, r) : notAllowed(r, "POST");
    }
    if (rest.startsWith("heartbeat/")) {
      return only(r, "POST") ? heartbeat(caller, rest.substring("heartbeat/".length())) : notAllowed(r, "POST");
    }
    if (rest.equals("backends")) {
      return only(r, "GET") ? list(caller, r) : notAllowed(r, "GET");
    }
    if (rest.startsWith("receipts/")) {
      return only(r, "GET") ? receipt(rest.substring("receipts/".length())) : notAllowed(r, "GET");
    }
    if (rest.startsWith("apps/") && rest.endsWith("/purge")) {
      String app = rest.substring("apps/".length(), rest.length() - "/purge".length());
      return only(r, "POST") ? purge(caller, app, r) : notAllowed(r, "POST");
    }
    if (rest.startsWith("backends/")) {
      String id = rest.substring("backends/".length());
      return switch (r.method()) {
        case "GET" -> one(caller, id);
        case "DELETE" -> deregister(caller, id);
        default -> notAllowed(r, "GET, DELETE");
      };
    }
    return switch (rest) {
      case "members" -> only(r, "GET") ? ApiResponse.json(200, Map.of("members", context.members().get())) : notAllowed(r, "GET");
      case "route/explain" -> only(r, "GET") ? explain(caller, r) : notAllowed(r, "GET");
      case "status" -> only(r, "GET") ? status(caller) : notAllowed(r, "GET");
      case "history" -> only(r, "GET") ? history(caller) : notAllowed(r, "GET");
      default -> notFound(path);
    };
  }

  private ApiResponse health() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "ok");
    body.put("version", version());
    body.put("pop", context.self());
    body.put("registered_backends", context.registrations().count());
    body.put("snapshot_version", context.state().current().version());
    return ApiResponse.json(200, body);
  }

  private ApiResponse register(Caller caller, Request r) {
    RoutingSnapshot snapshot = context.state().current();
    Registration registration;
    switch (RegistrationRequest.parse(r.body(), snapshot.regions())) {
      case RegistrationRequest.Parsed.Invalid invalid -> {
        return invalid.response();
      }
      case RegistrationRequest.Parsed.Valid valid -> registration = valid.registration();
    }
    if (!caller.mayManage(registration.app())) {
      return forbidden(caller, "app '" + registration.app() + "'");
    }
    Optional<String> existing = context.registrations().appOf(registration.id());
    if (existing.isPresent() && !caller.mayManage(existing.get())) {
      return forbidden(caller, "backend '" + registration.id() + "', which belongs to app '" + existing.get() + "'");
    }
    batcher.register(registration); // with whatever else is being registered: one commit, one snapshot refresh
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", registration.id());
    body.put("registered", true);
    body.put("message", "backend " + registration.id() + " registered for app " + registration.app()
        + "; send a heartbeat at least every " + context.config().heartbeatTtl().toSeconds() / 2 + " s");
    body.put("ttl_secs", context.config().heartbeatTtl().toSeconds());
    return withReceipt(201, body);
  }

  /** A purge of {@code app}'s cached responses on every POP: a replicated row, applied here at once. */
  private ApiResponse purge(Caller caller, String app, Request r) {
    if (!caller.mayManage(app)) {
      return forbidden(caller, "app '" + app + "'");
    }
    PurgeRequest.Parsed.Valid purge;
    switch (PurgeRequest.parse(r.body())) {
      case PurgeRequest.Parsed.Invalid invalid -> {
        return invalid.response();
      }
      case PurgeRequest.Parsed.Valid valid -> purge = valid;
    }
    io.edgeproxy.core.edge.CachePurge written;
    try {
      written = context.purges().add(app, purge.kind(), purge.value(), System.currentTimeMillis());
    } catch (IllegalArgumentException e) {
      return ApiResponse.invalid(e.getMessage(), List.of());
    }
    context.reloadAll().run(); // this POP applies it now; the others as it replicates
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", written.id());
    body.put("app", app);
    body.put("kind", written.kind().column());
    body.put("value", written.value());
    body.put("message", "purge " + written.id() + " written; every POP drops what it selects as the row reaches it");
    return withReceipt(202, body);
  }

  /**
   * The answer to a write, with the receipt of the transaction holding it (JSON field
   * {@code receipt} and header {@code Edgeproxy-Receipt}) when replication runs.
   */
  private ApiResponse withReceipt(int status, Map<String, Object> body) {
    Optional<String> receipt = context.receipts().afterWrite();
    Map<String, Object> out = new LinkedHashMap<>(body);
    receipt.ifPresent(r -> out.put("receipt", r));
    ApiResponse response = ApiResponse.json(status, out);
    return receipt.map(r -> response.withHeader(RECEIPT_HEADER, r)).orElse(response);
  }

  static final String RECEIPT_HEADER = "Edgeproxy-Receipt";

  private ApiResponse receipt(String text) {
    String receipt = java.net.URLDecoder.decode(text, java.nio.charset.StandardCharsets.UTF_8);
    if (!receipt.matches("[A-Za-z0-9._-]{1,128}:[0-9]{1,20}")) {
      return ApiResponse.error(400, "'" + clip(receipt) + "' is not a receipt (expected: NODE:VERSION, as returned by a write)");
    }
    return context.receipts().status(receipt)
        .map(v -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("receipt", v.receipt());
          body.put("all_applied", v.allApplied());
          body.put("applied", v.applied());
          body.put("missing", v.missing());
          return ApiResponse.json(200, body);
        })
        .orElseGet(() -> ApiResponse.error(404, "replication is off on this POP: writes have no receipts"));
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }

  private ApiResponse heartbeat(Caller caller, String id) {
    long now = System.currentTimeMillis();
    var due = context.registrations().renewalDue(id, now, context.config().heartbeatTtl());
    if (due.isPresent() && !caller.mayManage(due.get().getKey())) {
      return forbidden(caller, "backend '" + id + "' of app '" + due.get().getKey() + "'");
    }
    Registrations.Renewal renewal = due.isEmpty() ? Registrations.Renewal.UNKNOWN
        : !due.get().getValue() ? Registrations.Renewal.STILL_FRESH
        : context.registrations().heartbeat(id, now, context.config().heartbeatTtl(), context.self());
    if (renewal == Registrations.Renewal.UNKNOWN) {
      return ApiResponse.error(404, "no registration with id '" + id + "' (expected: an id registered with POST /api/v1/register;"
          + " it was deregistered, or its lease ended long ago: register again)");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("renewed", true);
    body.put("ttl_secs", context.config().heartbeatTtl().toSeconds());
    if (renewal == Registrations.Renewal.WRITTEN) {
      refresher.refresh(id);
      return withReceipt(200, body);
    }
    return ApiResponse.json(200, body);
  }

  private ApiResponse list(Caller caller, Request r) {
    String app = r.param("app");
    String region = r.param("region");
    String healthy = r.param("healthy");
    if (healthy != null && !healthy.equals("true") && !healthy.equals("false")) {
      return ApiResponse.invalid("invalid query", List.of(new ApiResponse.FieldProblem("healthy", "'" + healthy
          + "' (expected: true or false)")));
    }
    if (app != null && !caller.mayManage(app)) {
      return forbidden(caller, "app '" + app + "'");
    }
    String scope = app != null ? app : caller.isAdmin() ? null : caller.scope();
    RoutingSnapshot snapshot = context.state().current();
    Map<String, RegistrationLease> leases = context.registrations().all();
    long nowMs = System.currentTimeMillis();
    long nowNanos = System.nanoTime();
    List<BackendView> out = new ArrayList<>();
    for (Backend b : snapshot.backends()) {
      if ((scope != null && !scope.equals(b.app())) || (region != null && !region.equals(b.region()))) {
        continue;
      }
      BackendView view = view(snapshot, b, leases.get(b.id()), nowMs, nowNanos);
      if (healthy == null || view.healthy() == healthy.equals("true")) {
        out.add(view);
      }
    }
    out.sort(java.util.Comparator.comparing(BackendView::app).thenComparing(BackendView::id));
    return ApiResponse.json(200, Map.of("backends", out, "count", out.size()));
  }

  private ApiResponse one(Caller caller, String id) {
    RoutingSnapshot snapshot = context.state().current();
    Backend backend = null;
    for (Backend b : snapshot.backends()) {
      if (b.id().equals(id)) {
        backend = b;
        break;
      }
    }
    if (backend == null) {
      return ApiResponse.error(404, "no backend with id '" + id + "' in this POP's routing snapshot");
    }
    if (!caller.mayManage(backend.app())) {
      return forbidden(caller, "backend '" + id + "' of app '" + backend.app() + "'");
    }
    RegistrationLease lease = context.registrations().find(id).orElse(null);
    return ApiResponse.json(200, view(snapshot, backend, lease, System.currentTimeMillis(), System.nanoTime()));
  }

  private ApiResponse deregister(Caller caller, String id) {
    Optional<String> app = context.registrations().appOf(id);
    if (app.isEmpty()) {
      return ApiResponse.error(404, "no backend with id '" + id + "' in routing.db");
    }
    if (!caller.mayManage(app.get())) {
      return forbidden(caller, "backend '" + id + "' of app '" + app.get() + "'");
    }
    context.registrations().deregister(id);
    refresher.refresh(id);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("deregistered", true);
    return withReceipt(200, body);
  }

  private ApiResponse explain(Caller caller, Request r) {
    String app = r.param("app");
    String ip = r.param("ip");
    List<ApiResponse.FieldProblem> problems = new ArrayList<>();
    if (app == null || app.isBlank()) {
      problems.add(new ApiResponse.FieldProblem("app", "missing (expected: the app to route)"));
    }
    InetAddress client = ip == null ? null : IpAddresses.parseLiteral(ip.strip()).orElse(null);
    if (client == null) {
      problems.add(new ApiResponse.FieldProblem("ip", (ip == null ? "missing" : "'" + ip + "'")
          + " (expected: the client's IPv4 or IPv6 address)"));
    }
    if (!problems.isEmpty()) {
      return ApiResponse.invalid("invalid query", problems);
    }
    if (!caller.mayManage(app)) {
      return forbidden(caller, "app '" + app + "'");
    }
    RoutingSnapshot snapshot = context.state().current();
    ClientLocation location = context.locator().locate(client, snapshot.regions());
    return ApiResponse.json(200, RouteExplanation.explain(snapshot, app, location, Hashing.ofAddress(client), System.nanoTime()));
  }

  private ApiResponse status(Caller caller) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("node", context.nodeStatus().get());
    body.put("members", context.members().get());
    RoutingSnapshot snapshot = context.state().current();
    Map<String, RegistrationLease> leases = context.registrations().all();
    long nowMs = System.currentTimeMillis();
    long nowNanos = System.nanoTime();
    List<BackendView> backends = new ArrayList<>();
    for (Backend b : snapshot.backends()) {
      if (caller.mayManage(b.app())) {
        backends.add(view(snapshot, b, leases.get(b.id()), nowMs, nowNanos));
      }
    }
    backends.sort(java.util.Comparator.comparing(BackendView::app).thenComparing(BackendView::id));
    body.put("backends", backends);
    body.put("tunnels", context.tunnels().get().stream().filter(t -> caller.mayManage(t.app())).toList());
    Map<String, Object> cache = new LinkedHashMap<>(context.cache().get());
    for (String list : List.of("apps", "shield")) {
      if (cache.get(list) instanceof List<?> apps) {
        cache.put(list, apps.stream().filter(a -> a instanceof Map<?, ?> m && caller.mayManage(String.valueOf(m.get("app")))).toList());
      }
    }
    body.put("cache", cache);
    return ApiResponse.json(200, body);
  }

  /** The last 15 minutes for the charts: apps, backends and health events of the caller's apps only. */
  private ApiResponse history(Caller caller) {
    Map<String, Object> body = new LinkedHashMap<>(context.history().get());
    for (String list : List.of("apps", "backends", "events")) {
      if (body.get(list) instanceof List<?> items) {
        body.put(list, items.stream().filter(a -> a instanceof Map<?, ?> m && caller.mayManage(String.valueOf(m.get("app")))).toList());
      }
    }
    return ApiResponse.json(200, body);
  }

  private BackendView view(RoutingSnapshot snapshot, Backend b, @Nullable RegistrationLease lease, long nowMs, long nowNanos) {
    var routes = snapshot.routesFor(b.app());
    var candidate = routes == null ? null : routes.byId(b.id());
    return BackendView.of(b, candidate == null ? null : candidate.load(), lease,
        snapshot.settingsOf(b.app()).healthCheck() != null, nowMs, nowNanos);
  }

  private static boolean only(Request r, String method) {
    return r.method().equals(method) || (method.equals("GET") && r.method().equals("HEAD"));
  }

  private static ApiResponse notAllowed(Request r, String allowed) {
    return ApiResponse.error(405, r.method() + " " + r.path() + " is not supported (expected: " + allowed + ")")
        .withHeader("Allow", allowed);
  }

  private static ApiResponse notFound(String path) {
    return ApiResponse.error(404, "no such path " + abbreviate(path) + " (the API is described at /api/v1/openapi.yaml)");
  }

  private static ApiResponse forbidden(Caller caller, String what) {
    return ApiResponse.error(403, caller.describe() + " may not manage " + what
        + " (expected: an admin token or a token for that app)");
  }

  private static String abbreviate(String s) {
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
  }

  static String version() {
    String v = ApiRouter.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }

  private static String resource(String name) {
    try (InputStream in = ApiRouter.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name, e);
    }
  }
}
