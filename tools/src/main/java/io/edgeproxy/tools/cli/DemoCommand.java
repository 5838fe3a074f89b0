package io.edgeproxy.tools.cli;

import io.edgeproxy.core.config.ConfigKey;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.InvalidConfigException;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.geo.MaxMindGeoResolver;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.tools.EdgeNode;
import io.edgeproxy.tools.demo.DemoPop;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code edgeproxy demo}: a complete single POP on embedded defaults. Starts five small HTTP
 * backends on loopback, writes a routing.db listing them, runs the appliance over it and prints
 * what to try.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run a single demo POP: demo backends on loopback, a demo routing.db, the proxy,",
        "the embedded GeoIP data. Prints where to connect. Ctrl-C stops it."})
public final class DemoCommand implements Callable<Integer> {
  /** The demo's defaults where they differ from the agent's. */
  /** The demo's EDGEPROXY_DOMAIN: {@code demo.edge.test} reaches app demo on the HTTPS edge. */
  static final String DEMO_DOMAIN = "edge.test";
  static final Map<ConfigKey, String> DEMO_DEFAULTS = Map.of(
      ConfigKey.LISTEN_ADDR, "127.0.0.1:8080",
      ConfigKey.APP, DemoPop.APP,
      ConfigKey.DB_PATH, "demo-data/routing.db",
      ConfigKey.DRAIN_SECS, "1",
      ConfigKey.API_ENABLED, "true",
      ConfigKey.DNS_ENABLED, "true",
      ConfigKey.DNS_LISTEN_ADDR, "127.0.0.1:5353",
      ConfigKey.TLS_ENABLED, "true",
      ConfigKey.TLS_LISTEN_ADDR, "127.0.0.1:8443",
      ConfigKey.DOMAIN, DEMO_DOMAIN);

  @Spec CommandSpec spec;
  private final Map<String, String> env;

  public DemoCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    Map<ConfigKey, String> flags = new EnumMap<>(ConfigKey.class);
    DEMO_DEFAULTS.forEach((key, value) -> {
      if (!env.containsKey(key.env())) {
        flags.put(key, value);
      }
    });
    flags.putAll(ConfigOptions.given(spec.commandLine().getParseResult()));
    EdgeConfig config;
    try {
      config = EdgeConfig.load(env, flags);
    } catch (InvalidConfigException e) {
      return AgentCommand.reportInvalid(spec.commandLine().getErr(), e);
    }
    Logging.configure(config.node().debug(), config.node().logFormat());
    DemoPop pop = DemoPop.start();
    Runtime.getRuntime().addShutdownHook(new Thread(pop::close, "demo-backends"));
    Path db = config.node().dbPath();
    pop.writeRoutingDb(db);
    String token = demoToken(db);
    return AgentCommand.runUntilStopped(config, false, spec.commandLine().getOut(), spec.commandLine().getErr(),
        node -> banner(node, pop) + httpsBanner(node) + apiBanner(node, token) + dnsBanner(node)
            + "Ctrl-C stops the demo.\n");
  }

  private static String httpsBanner(EdgeNode node) {
    if (node.edgeAddress() == null || node.config().tls() == null) {
      return "";
    }
    int port = node.edgeAddress().getPort();
    String ip = node.edgeAddress().getAddress().getHostAddress();
    String domain = node.config().tls().domain();
    String host = DemoPop.APP + "." + (domain == null ? DEMO_DOMAIN : domain);
    String httpHost = DemoPop.HTTP_APP + "." + (domain == null ? DEMO_DOMAIN : domain);
    return """
        HTTPS edge on %s: one address for every app, routed by name (self-signed here, hence -k);
        app "%s" is served in TCP mode (TLS ends here, bytes go on to a backend):
            curl -sk --resolve %s:%d:%s https://%s:%d/
        app "%s" (the same backends) in HTTP mode (HTTP/2 here, a backend picked per request):
            curl -sk --http2 --resolve %s:%d:%s https://%s:%d/
        """.formatted(SocketAddresses.format(node.edgeAddress()), DemoPop.APP, host, port, ip, host, port,
            DemoPop.HTTP_APP, httpHost, port, ip, httpHost, port);
  }

  private static String dnsBanner(EdgeNode node) {
    if (node.dnsAddress() == null) {
      return "";
    }
    String at = "@" + node.dnsAddress().getAddress().getHostAddress() + " -p " + node.dnsAddress().getPort();
    String zone = node.config().dns().zone();
    return """
        DNS for .%s on %s (UDP and TCP), nearest backends first:
            dig %s %s.%s
            dig %s _%s._tcp.%s SRV
            dig %s vms.%s.%s TXT
        """.formatted(zone, SocketAddresses.format(node.dnsAddress()), at, DemoPop.APP, zone, at, DemoPop.APP, zone,
            at, DemoPop.APP, zone);
  }

  /** An admin token for the demo's discovery API, made fresh on each run (only its hash is stored). */
  private static String demoToken(Path db) {
    try (RoutingDb routing = RoutingDb.open(db)) {
      return new ApiTokens(routing).create(ApiTokens.ADMIN, "edgeproxy demo", System.currentTimeMillis());
    }
  }

  private static String apiBanner(EdgeNode node, String token) {
    if (node.apiAddress() == null) {
      return "";
    }
    String api = "http://" + SocketAddresses.format(node.apiAddress());
    return """
        Discovery API on %s with a demo admin token (shown only now):
            TOKEN=%s
            curl -s -H "Authorization: Bearer $TOKEN" %s/api/v1/backends
            curl -s -H "Authorization: Bearer $TOKEN" '%s/api/v1/route/explain?app=%s&ip=200.160.2.3'
        Status page: %s/ui#token=%s
        """.formatted(api, token, api, api, DemoPop.APP, api, token);
  }

  private static String banner(EdgeNode node, DemoPop pop) {
    EdgeConfig config = node.config();
    Path db = config.node().dbPath();
    String url = "http://" + SocketAddresses.format(node.proxyAddresses().get(0)) + "/";
    RoutingSnapshot snapshot = node.state().current();
    try (MaxMindGeoResolver geo = MaxMindGeoResolver.embedded()) {
      return """

          edgeproxy demo: one POP in region %s, app "%s" with %d backends (sa, us, eu, ap) on loopback,
          routing.db at %s, embedded GeoIP data.

          See which backend answers and why (run it a few times: you stay on your backend):
              curl -s %s

          Take that backend out with a plain sqlite3 edit, then curl again (applies within %d s):
              sqlite3 %s "UPDATE backends SET healthy = 0 WHERE id = '%s'"
              sqlite3 %s "UPDATE backends SET healthy = 1"

          Loopback clients have no geo, so they go to this POP's region first. Clients elsewhere would go:
          %s
          """.formatted(config.node().region(), DemoPop.APP, pop.backends().size(), db, url,
              config.node().dbReload().toSeconds(), db, pop.pickFor(snapshot, new ClientLocator(geo), "127.0.0.1"),
              db, pop.sampleRoutes(snapshot, new ClientLocator(geo)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
