package io.edgeproxy.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.sql.RegistrationLease;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgeproxy backends}: routing.db's backends, read from the file (no agent needed). When an
 * agent answers on the admin endpoint, its live connections and local verdicts are added.
 */
@Command(name = "backends", mixinStandardHelpOptions = true,
    description = "List the backends of routing.db (no agent needed). If an agent runs, also its open connections "
        + "per backend and whether this POP holds one down (health check, ejection).")
public final class BackendsCommand implements Callable<Integer> {
  private final Map<String, String> env;

  @Spec CommandSpec spec;

  @Option(names = "--app", paramLabel = "APP", description = "Only this app's backends.")
  @Nullable String app;

  @Option(names = "--region", paramLabel = "REGION", description = "Only backends in this region.")
  @Nullable String region;

  @Option(names = "--unhealthy", description = "Only backends that take no new clients: healthy = 0 or weight 0 in routing.db,"
      + " or down on this POP.")
  boolean unhealthy;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Option(names = "--db", paramLabel = "PATH", description = "routing.db (default: EDGEPROXY_DB_PATH, else ./routing.db).")
  @Nullable Path db;

  @Option(names = "--admin", paramLabel = "HOST:PORT",
      description = "The agent's admin endpoint, for live connections (default: EDGEPROXY_ADMIN_ADDR, else 127.0.0.1:8082).")
  @Nullable String admin;

  public BackendsCommand(Map<String, String> env) {
    this.env = env;
  }

  /** One backend as listed; {@code active} and {@code downHere} only when an agent answered. */
  record Row(String id, String app, String region, @Nullable String country, String address, int port, boolean healthy,
      int weight, int softLimit, int hardLimit, @Nullable String lease, @Nullable Integer active, @Nullable String downHere) {
    boolean takesNewClients() {
      return healthy && weight > 0 && downHere == null;
    }
  }

  @Override
  public Integer call() throws IOException {
    Path path = OfflineRouting.dbPath(db, env);
    OfflineRouting.Loaded loaded = OfflineRouting.load(path);
    String adminAddress = AdminClient.address(admin, env);
    Map<String, JsonNode> live = live(adminAddress, path);
    long nowMs = System.currentTimeMillis();
    List<Row> rows = new ArrayList<>();
    for (Backend b : loaded.result().data().backends()) {
      if ((app != null && !app.equals(b.app())) || (region != null && !region.equals(b.region()))) {
        continue;
      }
      JsonNode l = live == null ? null : live.get(b.id());
      Row row = new Row(b.id(), b.app(), b.region(), b.country(), b.address().getHostAddress(), b.port(), b.healthy(),
          b.weight(), b.softLimit(), b.hardLimit(), lease(loaded.leases().get(b.id()), nowMs),
          l == null ? null : l.path("active").asInt(), l == null || l.path("downHere").isNull() ? null : l.path("downHere").asText());
      if (!unhealthy || !row.takesNewClients()) {
        rows.add(row);
      }
    }
    rows.sort(Comparator.comparing(Row::app).thenComparing(Row::id));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("routingDb", path.toAbsolutePath().toString());
      doc.put("live", live != null);
      doc.put("backends", rows);
      doc.put("skippedRows", loaded.result().problems());
      JsonOutput.print(out, doc);
      return 0;
    }
    print(out, rows, live != null);
    PrintWriter err = spec.commandLine().getErr();
    loaded.result().problems().forEach(p -> err.println("skipped (the agent skips it too): " + p));
    if (live == null) {
      err.println("(no agent for this routing.db answered at " + adminAddress + ": live connections are not shown)");
    }
    err.flush();
    return 0;
  }

  private static void print(PrintWriter out, List<Row> rows, boolean live) {
    if (rows.isEmpty()) {
      out.println("no backends match");
      out.flush();
      return;
    }
    TextTable table = live
        ? new TextTable("ID", "APP", "REGION", "COUNTRY", "ADDRESS", "HEALTHY", "WEIGHT", "LIMITS", "LEASE", "ACTIVE", "DOWN HERE")
        : new TextTable("ID", "APP", "REGION", "COUNTRY", "ADDRESS", "HEALTHY", "WEIGHT", "LIMITS", "LEASE");
    for (Row r : rows) {
      List<Object> cells = new ArrayList<>(List.of(r.id(), r.app(), r.region(), r.country() == null ? "-" : r.country(),
          r.address().contains(":") ? "[" + r.address() + "]:" + r.port() : r.address() + ":" + r.port(), r.healthy() ? "yes" : "no", r.weight(), r.softLimit() + "/" + r.hardLimit(),
          r.lease() == null ? "-" : r.lease()));
      if (live) {
        cells.add(r.active() == null ? "-" : r.active());
        cells.add(r.downHere() == null ? "-" : r.downHere());
      }
      table.add(cells.toArray());
    }
    table.print(out, "");
    out.flush();
  }

  /**
   * The agent's live view by backend id, or null when no agent answers, it answers with an error,
   * or it serves another routing.db than the one listed.
   */
  private static @Nullable Map<String, JsonNode> live(String adminAddress, Path db) throws IOException {
    if (!(AdminClient.get(adminAddress, "/v1/backends") instanceof AdminClient.Reply.Ok ok)
        || !sameFile(Path.of(ok.json().path("routingDb").asText()), db)) {
      return null;
    }
    Map<String, JsonNode> byId = new HashMap<>();
    ok.json().path("backends").forEach(b -> byId.put(b.path("id").asText(), b));
    return byId;
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return java.nio.file.Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  private static @Nullable String lease(@Nullable RegistrationLease lease, long nowMs) {
    if (lease == null) {
      return null;
    }
    long secs = (lease.expiresMs() - nowMs) / 1000;
    return lease.expiredAt(nowMs) || secs < 0 ? "expired" : "expires in " + secs + "s";
  }
}
