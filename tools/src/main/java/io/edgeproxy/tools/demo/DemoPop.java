package io.edgeproxy.tools.demo;

import io.edgeproxy.core.geo.ClientLocation;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.routing.AppSettings;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.GeoLoadBalancer;
import io.edgeproxy.core.routing.Hashing;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.core.routing.Selection;
import io.edgeproxy.core.routing.Tier;
import io.edgeproxy.sql.RoutingDb;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The demo's backends and its routing.db: five HTTP backends of app {@value #APP} in four regions,
 * on loopback, with the PROXY protocol on so each reply says why it was chosen.
 */
public final class DemoPop implements AutoCloseable {
  public static final String APP = "demo";
  /** The same backends as an app in HTTP mode, on the HTTPS edge. */
  public static final String HTTP_APP = "web";
  private static final String[][] BACKENDS = {
    // id, region, country, weight
    {"demo-sa-1", "sa", "BR", "2"},
    {"demo-sa-2", "sa", "AR", "1"},
    {"demo-us-1", "us", "US", "2"},
    {"demo-eu-1", "eu", "DE", "2"},
    {"demo-ap-1", "ap", "JP", "2"},
  };
  /** Public addresses whose countries the embedded database knows, to show routing from afar. */
  private static final String[] SAMPLE_CLIENTS = {"200.160.2.3", "190.210.1.1", "8.8.8.8", "81.2.69.142", "202.12.27.33", "127.0.0.1"};

  private final EventLoopGroup group;
  private final List<DemoBackend> servers = new ArrayList<>();
  private final List<Backend> backends = new ArrayList<>();

  private DemoPop() {
    this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("demo-backend", true), NioIoHandler.newFactory());
  }

  /** Starts the backends. */
  public static DemoPop start() {
    DemoPop pop = new DemoPop();
    for (String[] b : BACKENDS) {
      String description = "region " + b[1] + ", country " + b[2] + ", weight " + b[3];
      DemoBackend server = DemoBackend.start(pop.group, b[0], description);
      pop.servers.add(server);
      pop.backends.add(new Backend(b[0], APP, b[1], b[2], InetAddress.getLoopbackAddress(), server.port(), true,
          Integer.parseInt(b[3]), 100, 150));
    }
    return pop;
  }

  /** Writes a fresh routing.db at {@code path} listing the backends (an older demo file is replaced). */
  public void writeRoutingDb(Path path) {
    try {
      Files.deleteIfExists(path);
      Files.deleteIfExists(Path.of(path + "-wal"));
      Files.deleteIfExists(Path.of(path + "-shm"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replace demo routing.db at " + path, e);
    }
    try (RoutingDb db = RoutingDb.open(path)) {
      db.upsertApp(new AppSettings(APP, true));
      db.upsertApp(AppSettings.defaults(HTTP_APP).withHttp(AppSettings.Protocol.HTTP, true));
      for (Backend b : backends) {
        db.upsertBackend(b);
        db.upsertBackend(new Backend(b.id().replaceFirst("^" + APP, HTTP_APP), HTTP_APP, b.region(), b.country(), b.address(),
            b.port(), true, b.weight(), b.softLimit(), b.hardLimit()));
      }
    }
  }

  public List<Backend> backends() {
    return List.copyOf(backends);
  }

  /** Where clients from a few places would be sent now: the same balancer and GeoIP the proxy uses. */
  public String sampleRoutes(RoutingSnapshot snapshot, ClientLocator locator) {
    StringBuilder out = new StringBuilder();
    for (String ip : SAMPLE_CLIENTS) {
      ClientLocation where = locator.locate(IpAddresses.parseLiteral(ip).orElseThrow(), snapshot.regions());
      Selection s = pick(snapshot, locator, ip);
      String place = where.isKnown() ? where.country() + ", " + where.region() : "no geo";
      String choice = s instanceof Selection.Picked p
          ? String.format(Locale.ROOT, "%-10s tier %d (%s)", p.candidate().id(), p.tier(), Tier.describe(p.tier()))
          : s.toString();
      out.append(String.format(Locale.ROOT, "    %-14s %-10s -> %s%n", ip, "(" + place + ")", choice));
    }
    return out.toString();
  }

  /** The backend a new client at {@code ip} gets now (no affinity yet), or "none". */
  public String pickFor(RoutingSnapshot snapshot, ClientLocator locator, String ip) {
    return pick(snapshot, locator, ip) instanceof Selection.Picked p ? p.candidate().id() : "none";
  }

  private static Selection pick(RoutingSnapshot snapshot, ClientLocator locator, String ip) {
    InetAddress address = IpAddresses.parseLiteral(ip).orElseThrow();
    ClientLocation where = locator.locate(address, snapshot.regions());
    return new GeoLoadBalancer().pick(snapshot.routesFor(APP), where, snapshot.popRegion(),
        Hashing.ofAddress(address), Set.of(), System.nanoTime());
  }

  @Override
  public void close() {
    servers.forEach(DemoBackend::close);
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
