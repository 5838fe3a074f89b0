package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The auto-discovery HTTP API; absent from {@link EdgeConfig} when EDGEPROXY_API_ENABLED is off.
 *
 * @param listen listen address; port 0 picks a free port (tests). Default: 127.0.0.1:8081
 * @param heartbeatTtl a registration without a heartbeat for this long is marked unhealthy. Default: 60 s
 * @param deregisterAfter a registration unhealthy for this long past its TTL is deleted. Default: 600 s
 */
public record ApiConfig(InetSocketAddress listen, Duration heartbeatTtl, Duration deregisterAfter) {
  public ApiConfig {
    requireNonNull(listen, "listen");
    requireNonNull(heartbeatTtl, "heartbeatTtl");
    requireNonNull(deregisterAfter, "deregisterAfter");
  }

  /** For tests: 127.0.0.1 port 0, TTL 60 s, deregistration 600 s after. */
  public static ApiConfig forTest() {
    return new ApiConfig(new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(60), Duration.ofSeconds(600));
  }

  public ApiConfig withHeartbeatTtl(Duration value) {
    return new ApiConfig(listen, value, deregisterAfter);
  }

  public ApiConfig withDeregisterAfter(Duration value) {
    return new ApiConfig(listen, heartbeatTtl, value);
  }
}
