package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The .internal DNS server; absent from {@link EdgeConfig} when EDGEPROXY_DNS_ENABLED is off.
 *
 * @param listen UDP and TCP listen address; port 0 picks a free port (tests). Default: 0.0.0.0:5353
 * @param zone the zone answered, lower case, no trailing dot. Default: internal
 * @param ttl TTL of answers and of the SOA (negative caching). Default: 5 s
 * @param rateLimit UDP responses per second per source /24 or /56; 0 = no limit. Default: 1000
 */
public record DnsConfig(InetSocketAddress listen, String zone, Duration ttl, int rateLimit) {
  public DnsConfig {
    requireNonNull(listen, "listen");
    requireNonNull(zone, "zone");
    requireNonNull(ttl, "ttl");
    if (rateLimit < 0) {
      throw new IllegalArgumentException("rateLimit: " + rateLimit + " (expected: >= 0)");
    }
  }

  /** For tests: 127.0.0.1 port 0, zone internal, TTL 5 s, no rate limit. */
  public static DnsConfig forTest() {
    return new DnsConfig(new InetSocketAddress("127.0.0.1", 0), "internal", Duration.ofSeconds(5), 0);
  }

  public DnsConfig withRateLimit(int value) {
    return new DnsConfig(listen, zone, ttl, value);
  }

  public DnsConfig withTtl(Duration value) {
    return new DnsConfig(listen, zone, value, rateLimit);
  }
}
