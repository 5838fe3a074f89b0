package io.edgeproxy.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.InvalidConfigException;
import io.edgeproxy.core.config.WireGuardConfig;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.WireGuardRows;
import io.edgeproxy.tools.tls.CertificateSeal;
import io.edgeproxy.tools.wireguard.WgKey;
import io.edgeproxy.tools.wireguard.WgQuickFile;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code edgeproxy wireguard config|status}: the mesh the agents build (EDGEPROXY_WG_ENABLED). */
@Command(name = "wireguard", mixinStandardHelpOptions = true,
    description = "The WireGuard mesh between POPs: a wg-quick file for it, or its peers now.")
public final class WireGuardCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code edgeproxy wireguard config}: this POP's interface and every other POP whose signed row
   * checks out, as a {@code wg-quick} file (for operators who keep the interface themselves).
   */
  @Command(name = "config", mixinStandardHelpOptions = true,
      description = {"Print this POP's WireGuard configuration as a wg-quick file: its key, address and port, and one",
          "[Peer] per other POP whose announcement (table wireguard_peers) the agents would take: signed by the",
          "cluster CA, in the overlay, claiming no other POP's networks. For operators who run the interface",
          "themselves (EDGEPROXY_WG_MANAGE_INTERFACE=false). Takes the agent's options and environment; the",
          "private key is read from <routing.db>.wg-key, made by the agent's first start with EDGEPROXY_WG_ENABLED.",
          "The file holds the private key: write it 0600."})
  public static final class Config implements Callable<Integer> {
    @Spec CommandSpec spec;
    private final Map<String, String> env;

    public Config(Map<String, String> env) {
      this.env = env;
    }

    @Override
    public Integer call() {
      EdgeConfig config;
      try {
        config = EdgeConfig.load(env, ConfigOptions.given(spec.commandLine().getParseResult()));
      } catch (InvalidConfigException e) {
        return AgentCommand.reportInvalid(spec.commandLine().getErr(), e);
      }
      WireGuardConfig wg = config.replication() == null ? null : config.replication().wireGuard();
      if (wg == null) {
        return StatusCommand.fail(spec, "EDGEPROXY_WG_ENABLED is off (turn it on, with EDGEPROXY_WG_ADDRESS, as for the agent)");
      }
      Path keyFile = Path.of(config.node().dbPath() + ".wg-key");
      if (!Files.exists(keyFile) || !Files.exists(config.node().dbPath())) {
        return StatusCommand.fail(spec, keyFile + " does not exist yet (the agent makes it on its first start with"
            + " EDGEPROXY_WG_ENABLED)");
      }
      WgKey key = WgKey.loadOrCreate(keyFile, CertificateSeal.forNode(config));
      Path tlsDir = config.replication().tlsDir() == null ? Path.of(".") : config.replication().tlsDir();
      var ca = ClusterPki.loadCertificate(tlsDir.resolve(ClusterPki.CA_CERT));
      WgQuickFile.Rendered file;
      try (RoutingDb db = RoutingDb.open(config.node().dbPath())) {
        file = WgQuickFile.fromRows(wg, key, new WireGuardRows(db).all(), ca, System.currentTimeMillis());
      }
      PrintWriter err = spec.commandLine().getErr();
      file.leftOut().forEach((node, why) -> err.println("# left out: row " + node + ": " + why));
      err.flush();
      PrintWriter out = spec.commandLine().getOut();
      out.print(file.text());
      out.flush();
      return 0;
    }
  }

  /** {@code edgeproxy wireguard status}: the running agent's interface and peers, from its admin endpoint. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show the running agent's WireGuard interface and its peers: endpoint, routes, last handshake, bytes.")
  public static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--admin", defaultValue = "${env:EDGEPROXY_ADMIN_ADDR:-127.0.0.1:8082}",
        description = "The agent's admin endpoint (host:port). Default: EDGEPROXY_ADMIN_ADDR or 127.0.0.1:8082.")
    String admin;

    @Override
    public Integer call() throws java.io.IOException {
      JsonNode status;
      switch (AdminClient.get(admin, "/v1/status")) {
        case AdminClient.Reply.Failed f -> {
          return StatusCommand.fail(spec, f.message());
        }
        case AdminClient.Reply.NoAgent n -> {
          return StatusCommand.fail(spec, n.message());
        }
        case AdminClient.Reply.Ok ok -> status = ok.json();
      }
      JsonNode wg = status.path("wireGuard");
      if (wg.isMissingNode() || wg.isNull()) {
        return StatusCommand.fail(spec, "the agent at " + admin + " runs no WireGuard mesh (EDGEPROXY_WG_ENABLED is off)");
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("interface %s (%s), address %s, UDP port %d%npublic key %s%n", wg.path("interfaceName").asText(),
          wg.path("kind").asText(), wg.path("address").asText(), wg.path("listenPort").asInt(), wg.path("publicKey").asText());
      if (!wg.path("error").isNull() && !wg.path("error").isMissingNode()) {
        out.println("error: " + wg.path("error").asText());
      }
      TextTable table = new TextTable("PEER", "ENDPOINT", "ROUTES", "HANDSHAKE", "RECEIVED", "SENT");
      long now = System.currentTimeMillis() / 1000;
      for (JsonNode p : wg.path("peers")) {
        long handshake = p.path("latestHandshakeEpochSecs").asLong();
        java.util.List<String> routes = new java.util.ArrayList<>();
        p.path("allowedIps").forEach(a -> routes.add(a.asText()));
        table.add(p.path("node").asText(), p.path("endpoint").asText("-"), String.join(",", routes),
            handshake == 0 ? "never" : (now - handshake) + " s ago", p.path("rxBytes").asText(), p.path("txBytes").asText());
      }
      table.print(out, "");
      wg.path("rejected").fields().forEachRemaining(e -> out.println("refused row " + e.getKey() + ": " + e.getValue().asText()));
      out.flush();
      return 0;
    }
  }

  /** {@code edgeproxy wireguard forget NODE}: deletes a retired POP's row, on every POP once it replicates. */
  @Command(name = "forget", mixinStandardHelpOptions = true,
      description = {"Delete the row of NODE from wireguard_peers: for a POP retired for good, whose row would otherwise stay",
          "in every wg-quick file and keep its networks. Replicates like any change; a POP still running writes",
          "its row again within a second."})
  static final class Forget extends TlsCommand.OnDb implements Callable<Integer> {
    @picocli.CommandLine.Parameters(index = "0", paramLabel = "NODE")
    String node;

    Forget(Map<String, String> env) {
      super(env);
    }

    @Override
    public Integer call() {
      boolean removed;
      try (RoutingDb routing = RoutingDb.open(path())) {
        removed = new WireGuardRows(routing).forget(node);
      }
      if (!removed) {
        err().println("edgeproxy wireguard forget: " + path() + " has no wireguard_peers row for " + node);
        return 1;
      }
      out().println("row of " + node + " removed from " + path());
      out().flush();
      AdminClient.flushAndReport(AdminClient.address(admin, env), path(), err(), "edgeproxy wireguard forget");
      return 0;
    }
  }
}
