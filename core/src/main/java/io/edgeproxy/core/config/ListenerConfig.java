package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * One proxy listener: the app it serves and where it listens.
 *
 * @param app the app name, or {@code *} for every app
 * @param address bind address; port 0 picks a free port (tests)
 */
public record ListenerConfig(String app, InetSocketAddress address) {
  public ListenerConfig {
    requireNonNull(app, "app");
    requireNonNull(address, "address");
  }
}
