package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The auto-discovery HTTP API; absent from {@link EdgeConfig} when EDGEPROXY_API_ENABLED is off.
 *
 * @param listen listen address; port 0 picks a free port (tests). Default: 127.0.0.1:8081
 * @param heartbeatTtl a registration without a heartbeat for this long is marked unhealthy. Default: 60 s
 * @param deregisterAfter a registration unhealthy for this long past its TTL is deleted. Default: 600 s
 * @param tls null: plain HTTP (the default); otherwise TLS with these files, or a self-signed
 *     certificate when {@link Tls#files()} is null
 */
public record ApiConfig(InetSocketAddress listen, Duration heartbeatTtl, Duration deregisterAfter, @Nullable Tls tls) {
  /** TLS for the API: the certificate chain and key files, or null for a self-signed certificate made at start. */
  public record Tls(@Nullable TlsFiles files) {}

  public ApiConfig {
    requireNonNull(listen, "listen");
    requireNonNull(heartbeatTtl, "heartbeatTtl");
    requireNonNull(deregisterAfter, "deregisterAfter");
  }

  /** For tests: 127.0.0.1 port 0, TTL 60 s, deregistration 600 s after, plain HTTP. */
  public static ApiConfig forTest() {
    return new ApiConfig(new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(60), Duration.ofSeconds(600), null);
  }

  public ApiConfig withHeartbeatTtl(Duration value) {
    return new ApiConfig(listen, value, deregisterAfter, tls);
  }

  public ApiConfig withTls(@Nullable Tls value) {
    return new ApiConfig(listen, heartbeatTtl, deregisterAfter, value);
  }

  public ApiConfig withDeregisterAfter(Duration value) {
    return new ApiConfig(listen, heartbeatTtl, value, tls);
  }
}
