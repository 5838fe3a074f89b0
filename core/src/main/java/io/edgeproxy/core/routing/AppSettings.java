package io.edgeproxy.core.routing;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Per-app settings from routing.db's {@code apps} and {@code health_checks} tables. An app without
 * rows gets {@link #defaults}.
 *
 * @param name the app
 * @param proxyProtocol send a PROXY protocol v2 header to the app's backends. Default: false
 * @param healthCheck the app's active health check, or null for none (the default)
 * @param protocol how the HTTPS edge serves the app once it has ended TLS. Default: {@link Protocol#TCP}
 * @param httpRedirect on the plain HTTP listener, answer 308 to https:// (true, the default) or serve
 *     an app in HTTP mode in plain HTTP (false)
 * @param cache the edge caches the app's responses as RFC 9111 allows (HTTP mode only). Default: false
 * @param clientTokens {@code apps.auth = 'token'}: requests need a client token of the app, checked at
 *     the edge (HTTP mode only). Default: false
 */
public record AppSettings(String name, boolean proxyProtocol, @Nullable HealthCheck healthCheck, Protocol protocol,
    boolean httpRedirect, boolean cache, boolean clientTokens) {
  /** What the edge speaks to an app's clients once TLS is ended. */
  public enum Protocol {
    /** Bytes relayed as on the L4 listeners. */
    TCP,
    /** HTTP/1.1 and HTTP/2 to clients, a backend picked per request. */
    HTTP;

    /** The value as routing.db spells it. */
    public String column() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The protocol routing.db's text names, or null if none. */
    public static @Nullable Protocol of(String column) {
      for (Protocol p : values()) {
        if (p.column().equals(column)) {
          return p;
        }
      }
      return null;
    }
  }

  public AppSettings {
    requireNonNull(name, "name");
    requireNonNull(protocol, "protocol");
  }

  public AppSettings(String name, boolean proxyProtocol) {
    this(name, proxyProtocol, null, Protocol.TCP, true, false, false);
  }

  public static AppSettings defaults(String name) {
    return new AppSettings(name, false);
  }

  public AppSettings withHealthCheck(@Nullable HealthCheck check) {
    return new AppSettings(name, proxyProtocol, check, protocol, httpRedirect, cache, clientTokens);
  }

  public AppSettings withHttp(Protocol newProtocol, boolean redirect) {
    return new AppSettings(name, proxyProtocol, healthCheck, newProtocol, redirect, cache, clientTokens);
  }

  public AppSettings withCache(boolean on) {
    return new AppSettings(name, proxyProtocol, healthCheck, protocol, httpRedirect, on, clientTokens);
  }

  public AppSettings withClientTokens(boolean on) {
    return new AppSettings(name, proxyProtocol, healthCheck, protocol, httpRedirect, cache, on);
  }
}
