package io.edgeproxy.proxy;

import io.edgeproxy.core.config.ProxyConfig;
import io.edgeproxy.core.routing.Router;
import io.edgeproxy.core.routing.RoutingState;

/** What every connection of one listener shares: its app, the router, the transport, settings and counters. */
record ProxyListener(String app, Router router, NettyTransport transport, ProxyConfig config, ProxyStats stats,
    TunnelStreams tunnels) {
  RoutingState state() {
    return router.state();
  }

  int connectAttempts() {
    return config.connectAttempts();
  }
}
