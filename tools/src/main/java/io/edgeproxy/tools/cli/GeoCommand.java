package io.edgeproxy.tools.cli;

import io.edgeproxy.core.geo.ClientLocation;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.geo.MaxMindGeoResolver;
import io.edgeproxy.core.geo.RegionMap;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code edgeproxy geo IP}: where the proxy thinks a client is. */
@Command(name = "geo", mixinStandardHelpOptions = true,
    description = "Show the country and region of an address as the proxy sees them: the GeoIP database "
        + "(EDGEPROXY_GEOIP_PATH, else the embedded one) and the region map (defaults, plus routing.db's "
        + "region_countries when routing.db exists). Loopback and private addresses have no geo.")
public final class GeoCommand implements Callable<Integer> {
  private final Map<String, String> env;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "IP", description = "An IPv4 or IPv6 address.")
  String ip = "";

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Option(names = "--db", paramLabel = "PATH",
      description = "routing.db for operator regions (default: EDGEPROXY_DB_PATH, else ./routing.db; skipped if missing).")
  @Nullable Path db;

  public GeoCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws IOException {
    InetAddress address = IpAddresses.parseLiteral(ip.strip()).orElseThrow(() -> new ParameterException(spec.commandLine(),
        "IP '" + ip + "' (expected: an IPv4 or IPv6 address, such as 200.160.2.3 or 2001:db8::1)"));
    Path path = OfflineRouting.dbPath(db, env);
    boolean useDb = Files.isRegularFile(path);
    RegionMap regions = useDb ? OfflineRouting.load(path).result().data().regions() : RegionMap.defaults();
    boolean routable = !IpAddresses.isNonRoutable(address);
    ClientLocation location;
    String database;
    try (MaxMindGeoResolver geo = OfflineRouting.geo(env)) {
      location = new ClientLocator(geo).locate(address, regions);
      database = geo.describe();
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("ip", address.getHostAddress());
    doc.put("routable", routable);
    doc.put("country", location.country());
    doc.put("region", location.region());
    doc.put("geoip", database);
    doc.put("regionMap", useDb ? "defaults + region_countries of " + path.toAbsolutePath() : "defaults");
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      JsonOutput.print(out, doc);
      return 0;
    }
    if (!routable) {
      out.println(address.getHostAddress() + ": no geo: a loopback, private or otherwise non-routable address"
          + " (the proxy routes such clients by the POP's own region)");
    } else if (location.country() == null) {
      out.println(address.getHostAddress() + ": not in the GeoIP data (routed by the POP's own region)");
    } else {
      out.println(address.getHostAddress() + ": country " + location.country() + ", region "
          + (location.region() == null ? "none (no region maps this country; add it to region_countries)" : location.region()));
    }
    out.println("GeoIP: " + database + "; regions: " + doc.get("regionMap"));
    out.flush();
    return 0;
  }
}
