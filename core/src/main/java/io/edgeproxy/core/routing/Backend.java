package io.edgeproxy.core.routing;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * One validated row of routing.db's {@code backends} table: a place an app's traffic can go.
 *
 * <p>Rows reach this type only through validation (see the sql module's row validator), so every
 * field holds an acceptable value: {@code port} 1-65535, {@code weight} >= 0, limits >= 0, a known
 * region. Deleted rows never become a {@code Backend}.
 *
 * @param id unique id (the row's primary key)
 * @param app the app this backend serves
 * @param region region code, one of the regions the {@link io.edgeproxy.core.geo.RegionMap} knows
 * @param country ISO 3166 alpha-2 code in upper case, or null when the row has none
 * @param address IP address the proxy connects to (the original's {@code wg_ip})
 * @param port TCP port, 1-65535
 * @param healthy false takes the backend out of selection (it stays visible to explain and DNS {@code all.})
 * @param weight relative share among equally scored backends; 0 drains it (no new clients)
 * @param softLimit connections at which the load factor reaches 1; 0 is treated as 1, as in the original
 * @param hardLimit connections never exceeded on this POP; 0 means unlimited, as in the original
 * @param tunnel where a device tunnel ends, for a backend that is a tunnel (routing.db table
 *     {@code tunnels}); its {@code address} is then the agent's public address, never connected to
 *     nor published
 */
public record Backend(
    String id,
    String app,
    String region,
    @Nullable String country,
    InetAddress address,
    int port,
    boolean healthy,
    int weight,
    int softLimit,
    int hardLimit,
    @Nullable TunnelEnd tunnel) {

  /** A backend that is a device tunnel: its id and the POP holding it. */
  public record TunnelEnd(String tunnelId, String pop) {
    public TunnelEnd {
      requireNonNull(tunnelId, "tunnelId");
      requireNonNull(pop, "pop");
    }
  }

  /** A backend reached at {@code address:port}. */
  public Backend(String id, String app, String region, @Nullable String country, InetAddress address, int port,
      boolean healthy, int weight, int softLimit, int hardLimit) {
    this(id, app, region, country, address, port, healthy, weight, softLimit, hardLimit, null);
  }

  public Backend {
    requireNonNull(id, "id");
    requireNonNull(app, "app");
    requireNonNull(region, "region");
    requireNonNull(address, "address");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
    if (weight < 0) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
    }
    if (softLimit < 0 || hardLimit < 0) {
      throw new IllegalArgumentException(
          "limits: soft " + softLimit + ", hard " + hardLimit + " (expected: >= 0)");
    }
  }

  /** The address to connect to. */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(address, port);
  }

  /** True for a device tunnel: reached through its POP, not at an address. */
  public boolean isTunnel() {
    return tunnel != null;
  }

  /** True when new clients may be sent here: healthy and not drained by weight 0. */
  public boolean acceptsNewClients() {
    return healthy && weight > 0;
  }

  public Backend withHealthy(boolean value) {
    return new Backend(id, app, region, country, address, port, value, weight, softLimit, hardLimit, tunnel);
  }

  public Backend withWeight(int value) {
    return new Backend(id, app, region, country, address, port, healthy, value, softLimit, hardLimit, tunnel);
  }

  public Backend withLimits(int soft, int hard) {
    return new Backend(id, app, region, country, address, port, healthy, weight, soft, hard, tunnel);
  }
}
