package io.edgeproxy.proxy;

import io.edgeproxy.core.config.ProxyConfig;
import io.edgeproxy.core.routing.Router;
import io.edgeproxy.core.routing.RoutingState;
import java.time.Duration;

/** What every connection of one listener shares: its app, the router, the transport, settings and counters. */
record ProxyListener(String app, Router router, NettyTransport transport, ProxyConfig config, ProxyStats stats) {
  RoutingState state() {
    return router.state();
  }

  int connectTimeoutMillis() {
    return (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis());
  }

  int connectAttempts() {
    return config.connectAttempts();
  }

  Duration idleTimeout() {
    return config.idleTimeout();
  }
}
