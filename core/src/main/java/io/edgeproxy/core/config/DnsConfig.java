package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.geo.IpNetwork;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The .internal DNS server; absent from {@link EdgeConfig} when EDGEPROXY_DNS_ENABLED is off.
 *
 * @param listen UDP and TCP listen address; port 0 picks a free port (tests). Default: 0.0.0.0:5353
 * @param zone the zone answered, lower case, no trailing dot. Default: internal
 * @param ttl TTL of answers and of the SOA (negative caching). Default: 5 s
 * @param rateLimit UDP responses per second per source /24 or /56; 0 = no limit. Default: 1000
 * @param upstreams resolvers that queries for names outside the zone are forwarded to, tried in
 *     order (IP addresses, port 1-65535); empty = no forwarding, such names are refused. Default: empty
 * @param allowFrom the networks of clients answered at all; others get REFUSED for every query.
 *     Default: loopback and private networks ({@link #PRIVATE_NETWORKS})
 * @param forwardFrom the networks of clients whose out-of-zone queries are forwarded; others are
 *     refused. Default: loopback and private networks
 * @param upstreamTimeout how long one upstream may take before the next is tried. Default: 1 s
 */
public record DnsConfig(
    InetSocketAddress listen,
    String zone,
    Duration ttl,
    int rateLimit,
    List<InetSocketAddress> upstreams,
    List<IpNetwork> allowFrom,
    List<IpNetwork> forwardFrom,
    Duration upstreamTimeout) {

  /** Loopback, RFC 1918 and unique-local networks: the clients an internal resolver serves. */
  public static final List<IpNetwork> PRIVATE_NETWORKS = Arrays.stream(ConfigKey.DNS_ALLOW_FROM.defaultValue().split(","))
      .map(text -> IpNetwork.parse(text).orElseThrow(() -> new AssertionError("bad default network " + text)))
      .toList();

  public DnsConfig {
    requireNonNull(listen, "listen");
    requireNonNull(zone, "zone");
    requireNonNull(ttl, "ttl");
    if (rateLimit < 0) {
      throw new IllegalArgumentException("rateLimit: " + rateLimit + " (expected: >= 0)");
    }
    upstreams = List.copyOf(upstreams);
    for (InetSocketAddress upstream : upstreams) {
      if (upstream.isUnresolved() || upstream.getPort() == 0) {
        throw new IllegalArgumentException("upstreams: " + upstream + " (expected: an IP address and a port 1-65535)");
      }
    }
    allowFrom = List.copyOf(allowFrom);
    forwardFrom = List.copyOf(forwardFrom);
    requireNonNull(upstreamTimeout, "upstreamTimeout");
    if (upstreamTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("upstreamTimeout: " + upstreamTimeout + " (expected: >= 1 ms)");
    }
  }

  /** For tests: 127.0.0.1 port 0, zone internal, TTL 5 s, no rate limit, no forwarding. */
  public static DnsConfig forTest() {
    return new DnsConfig(new InetSocketAddress("127.0.0.1", 0), "internal", Duration.ofSeconds(5), 0, List.of(),
        PRIVATE_NETWORKS, PRIVATE_NETWORKS, Duration.ofSeconds(1));
  }

  /** True when out-of-zone queries from {@link #forwardFrom} are forwarded. */
  public boolean forwarding() {
    return !upstreams.isEmpty();
  }

  public DnsConfig withListen(InetSocketAddress value) {
    return new DnsConfig(value, zone, ttl, rateLimit, upstreams, allowFrom, forwardFrom, upstreamTimeout);
  }

  public DnsConfig withRateLimit(int value) {
    return new DnsConfig(listen, zone, ttl, value, upstreams, allowFrom, forwardFrom, upstreamTimeout);
  }

  public DnsConfig withTtl(Duration value) {
    return new DnsConfig(listen, zone, value, rateLimit, upstreams, allowFrom, forwardFrom, upstreamTimeout);
  }

  public DnsConfig withUpstreams(List<InetSocketAddress> value) {
    return new DnsConfig(listen, zone, ttl, rateLimit, value, allowFrom, forwardFrom, upstreamTimeout);
  }

  public DnsConfig withAllowFrom(List<IpNetwork> value) {
    return new DnsConfig(listen, zone, ttl, rateLimit, upstreams, value, forwardFrom, upstreamTimeout);
  }

  public DnsConfig withForwardFrom(List<IpNetwork> value) {
    return new DnsConfig(listen, zone, ttl, rateLimit, upstreams, allowFrom, value, upstreamTimeout);
  }

  public DnsConfig withUpstreamTimeout(Duration value) {
    return new DnsConfig(listen, zone, ttl, rateLimit, upstreams, allowFrom, forwardFrom, value);
  }
}
