package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Client affinity.
 *
 * @param ttl sliding TTL of a binding; zero disables affinity (EDGEPROXY_BINDING_TTL_SECS). Default: 600 s
 * @param gcInterval how often expired bindings are purged. Default: 60 s
 * @param maxBindings size bound. Default: 1,000,000
 */
public record AffinityConfig(Duration ttl, Duration gcInterval, long maxBindings) {
  public AffinityConfig {
    requireNonNull(ttl, "ttl");
    requireNonNull(gcInterval, "gcInterval");
  }

  public boolean enabled() {
    return !ttl.isZero();
  }
}
