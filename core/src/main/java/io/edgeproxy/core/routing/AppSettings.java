package io.edgeproxy.core.routing;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * Per-app settings from routing.db's {@code apps} and {@code health_checks} tables. An app without
 * rows gets {@link #defaults}.
 *
 * @param name the app
 * @param proxyProtocol send a PROXY protocol v2 header to the app's backends. Default: false
 * @param healthCheck the app's active health check, or null for none (the default)
 */
public record AppSettings(String name, boolean proxyProtocol, @Nullable HealthCheck healthCheck) {
  public AppSettings {
    requireNonNull(name, "name");
  }

  public AppSettings(String name, boolean proxyProtocol) {
    this(name, proxyProtocol, null);
  }

  public static AppSettings defaults(String name) {
    return new AppSettings(name, false, null);
  }

  public AppSettings withHealthCheck(@Nullable HealthCheck check) {
    return new AppSettings(name, proxyProtocol, check);
  }
}
