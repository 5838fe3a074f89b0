package io.edgeproxy.dns;

import io.edgeproxy.core.config.DnsConfig;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.FixedGeoResolver;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.RoutingReloader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A DNS server over a real routing.db on 127.0.0.1 port 0, as the agent wires it (POP region sa),
 * plus the real {@code dig}. One try-with-resources closes everything.
 */
final class DnsHarness implements AutoCloseable {
  static final String DIG = "/usr/bin/dig";

  final Path dbPath;
  final RoutingDb db;
  final RoutingState state;
  final RoutingReloader reloader;
  final DnsServer server;
  final InetSocketAddress address;

  private DnsHarness(Path dbPath, RoutingDb db, RoutingState state, RoutingReloader reloader, DnsServer server) {
    this.dbPath = dbPath;
    this.db = db;
    this.state = state;
    this.reloader = reloader;
    this.server = server;
    this.address = server.start();
  }

  static DnsHarness start(Path dir, List<Backend> backends) {
    return start(dir, backends, Map.of(), DnsConfig.forTest(), DnsServer.Limits.NO_WARM_UP);
  }

  /** {@code geo}: what the fixed GeoIP table says of an address (ECS networks are looked up as given). */
  static DnsHarness start(Path dir, List<Backend> backends, Map<InetAddress, String> geo, DnsConfig config,
      DnsServer.Limits limits) {
    Path path = dir.resolve("routing.db");
    RoutingDb db = RoutingDb.open(path);
    backends.forEach(db::upsertBackend);
    RoutingState state = new RoutingState("sa", new LoadBoard());
    RoutingReloader reloader = new RoutingReloader(db, state);
    reloader.loadFirst();
    reloader.start(Duration.ofMillis(100));
    List<Pop> pops = List.of(new Pop("gru-1", "sa", ip("10.9.0.1")), new Pop("iad-1", "us", ip("10.9.0.2")),
        new Pop("fra-1", "eu", ip("fd00:9::3")));
    DnsServer server = new DnsServer(config, state, new ClientLocator(new FixedGeoResolver(geo)), () -> pops, limits);
    return new DnsHarness(path, db, state, reloader, server);
  }

  int port() {
    return address.getPort();
  }

  /**
   * The command line that runs dig with {@code args}. As root, dig runs as nobody: dig binds its
   * socket with SO_REUSEPORT, so the kernel may give a root dig the very port the server (also
   * SO_REUSEPORT, also root) listens on, and dig then receives its own query (";; Warning: query
   * response not set": a CI failure, reproduced with dig -b on the server's port). Sockets of
   * different users never share a port.
   */
  static List<String> digCommand(String... args) {
    List<String> cmd = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
    }
    cmd.add(DIG);
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Runs dig against the server; returns its whole output. */
  String dig(String... args) {
    List<String> cmd = new ArrayList<>(digCommand("@127.0.0.1", "-p", String.valueOf(port()), "+time=2", "+tries=1"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("dig did not finish: " + cmd);
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError("cannot run dig (install bind9-dnsutils)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The answer section's data fields, in order, as {@code dig +short} prints them. */
  List<String> digShort(String name, String type, String... extra) {
    List<String> args = new ArrayList<>(List.of("+short", name, type));
    args.addAll(List.of(extra));
    return dig(args.toArray(String[]::new)).lines().filter(l -> !l.isBlank()).toList();
  }

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (IOException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  @Override
  public void close() {
    server.close();
    reloader.close();
    db.close();
  }
}
