package io.edgeproxy.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeproxy.core.geo.ClientLocation;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.geo.MaxMindGeoResolver;
import io.edgeproxy.core.routing.Hashing;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RouteExplanation;
import io.edgeproxy.core.routing.RoutingSnapshot;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code edgeproxy route}: how the proxy routes. */
@Command(name = "route", mixinStandardHelpOptions = true, description = "Explain routing decisions.")
public final class RouteCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code edgeproxy route explain --app A --ip IP}. */
  @Command(name = "explain", mixinStandardHelpOptions = true,
      description = "Show every backend of an app with its tier and score for a client address, and which one the "
          + "proxy would pick and why. Asks the running agent (live connections, health checks and ejections"
          + " included); without one, computes it from routing.db and the GeoIP data, and says so.")
  public static final class Explain implements Callable<Integer> {
    private final Map<String, String> env;

    @Spec CommandSpec spec;

    @Option(names = "--app", required = true, paramLabel = "APP", description = "The app the client connects to.")
    String app = "";

    @Option(names = "--ip", required = true, paramLabel = "IP", description = "The client's IPv4 or IPv6 address.")
    String ip = "";

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = "--admin", paramLabel = "HOST:PORT",
        description = "The agent's admin endpoint (default: EDGEPROXY_ADMIN_ADDR, else 127.0.0.1:8082).")
    @Nullable String admin;

    @Option(names = "--offline", description = "Do not ask an agent: compute from routing.db.")
    boolean offline;

    @Option(names = "--db", paramLabel = "PATH",
        description = "routing.db when computing offline (default: EDGEPROXY_DB_PATH, else ./routing.db).")
    @Nullable Path db;

    @Option(names = "--region", paramLabel = "REGION",
        description = "This POP's region when computing offline (default: EDGEPROXY_REGION, else sa).")
    @Nullable String region;

    public Explain(Map<String, String> env) {
      this.env = env;
    }

    @Override
    public Integer call() throws IOException {
      InetAddress client = IpAddresses.parseLiteral(ip.strip()).orElseThrow(() -> new ParameterException(spec.commandLine(),
          "--ip '" + ip + "' (expected: an IPv4 or IPv6 address, such as 200.160.2.3)"));
      String adminAddress = AdminClient.address(admin, env);
      AdminClient.Reply reply = offline ? new AdminClient.Reply.NoAgent("--offline") : AdminClient.get(adminAddress,
          "/v1/route/explain?app=" + URLEncoder.encode(app, StandardCharsets.UTF_8)
              + "&ip=" + URLEncoder.encode(ip.strip(), StandardCharsets.UTF_8));
      ObjectNode explanation = switch (reply) {
        case AdminClient.Reply.Ok ok -> (ObjectNode) ok.json();
        case AdminClient.Reply.Failed f -> throw new CommandFailure(f.message());
        case AdminClient.Reply.NoAgent n -> JsonOutput.MAPPER.valueToTree(offline(client));
      };
      String note = reply instanceof AdminClient.Reply.Ok ? null : "computed offline from routing.db"
          + (offline ? "" : " (no agent answered at " + adminAddress + ")")
          + ": live connections, health-check verdicts and ejections of a running POP are not included";
      explanation.put("source", note == null ? "agent at " + adminAddress : "offline");
      explanation.put("note", note);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        JsonOutput.print(out, explanation);
      } else {
        print(out, explanation);
      }
      return 0;
    }

    private RouteExplanation offline(InetAddress client) {
      OfflineRouting.Loaded loaded = OfflineRouting.load(OfflineRouting.dbPath(db, env));
      String pop = region != null ? region : env.getOrDefault("EDGEPROXY_REGION", "sa");
      RoutingSnapshot snapshot = RoutingSnapshot.build(0, loaded.result().data(), pop, new LoadBoard());
      try (MaxMindGeoResolver geo = OfflineRouting.geo(env)) {
        ClientLocation location = new ClientLocator(geo).locate(client, snapshot.regions());
        return RouteExplanation.explain(snapshot, app, location, Hashing.ofAddress(client), System.nanoTime());
      } catch (IOException e) {
        throw new CommandFailure("cannot close the GeoIP database: " + e.getMessage());
      }
    }

    private void print(PrintWriter out, JsonNode e) {
      JsonNode c = e.path("client");
      out.printf("app %s, client %s: %s; POP region %s%s%n", e.path("app").asText(), ip.strip(),
          c.path("country").isNull() && c.path("region").isNull() ? "no geo (non-routable or not in the GeoIP data)"
              : "country " + c.path("country").asText("-") + ", region " + c.path("region").asText("-"),
          e.path("popRegion").asText(), e.path("source").asText().equals("offline") ? "" : ", snapshot v" + e.path("snapshotVersion").asLong());
      out.println(e.path("outcome").asText());
      if (!e.path("candidates").isEmpty()) {
        TextTable table = new TextTable("", "ID", "REGION", "COUNTRY", "ADDRESS", "TIER", "SCORE", "ACTIVE", "WEIGHT", "LIMITS", "EXCLUDED");
        String picked = e.path("picked").asText("");
        for (JsonNode r : e.path("candidates")) {
          table.add(r.path("id").asText().equals(picked) ? "*" : "", r.path("id").asText(), r.path("region").asText(),
              r.path("country").asText("-"), r.path("address").asText(),
              r.path("tier").asInt() + " " + r.path("tierMeaning").asText(),
              String.format(Locale.ROOT, "%.4f", r.path("score").asDouble()), r.path("active").asInt(), r.path("weight").asInt(),
              r.path("softLimit").asInt() + "/" + r.path("hardLimit").asInt(), r.path("excluded").asText("-"));
        }
        table.print(out, "");
      }
      out.println(e.path("note").isNull() ? "(from the agent at " + e.path("source").asText().substring("agent at ".length())
          + ": live connections and local health included)" : "note: " + e.path("note").asText());
      out.flush();
    }
  }
}
