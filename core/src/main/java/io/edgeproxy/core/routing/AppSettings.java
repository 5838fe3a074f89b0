package io.edgeproxy.core.routing;

import static java.util.Objects.requireNonNull;

/**
 * Per-app settings from routing.db's {@code apps} table. An app without a row gets {@link #defaults}.
 *
 * @param name the app
 * @param proxyProtocol send a PROXY protocol v2 header to the app's backends. Default: false
 */
public record AppSettings(String name, boolean proxyProtocol) {
  public AppSettings {
    requireNonNull(name, "name");
  }

  public static AppSettings defaults(String name) {
    return new AppSettings(name, false);
  }
}
