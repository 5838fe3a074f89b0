package io.edgeproxy.proxy;

import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.edge.HostRouter;
import io.edgeproxy.core.routing.RoutingSnapshot;

/**
 * What every connection of the HTTPS edge listener shares: the proxy's listener parts (router,
 * transport, settings), the edge's settings, its certificates and counters, and the host router
 * of the current routing snapshot (rebuilt when the snapshot changes).
 */
final class EdgeListener {
  private final ProxyListener proxy;
  private final EdgeTlsConfig config;
  private final EdgeCertificates certificates;
  private final EdgeStats stats;
  private volatile Routes routes;

  private record Routes(RoutingSnapshot snapshot, HostRouter router) {}

  EdgeListener(ProxyListener proxy, EdgeTlsConfig config, EdgeCertificates certificates, EdgeStats stats) {
    this.proxy = proxy;
    this.config = config;
    this.certificates = certificates;
    this.stats = stats;
  }

  ProxyListener proxy() {
    return proxy;
  }

  EdgeTlsConfig config() {
    return config;
  }

  EdgeCertificates certificates() {
    return certificates;
  }

  EdgeStats stats() {
    return stats;
  }

  /** The host router of the snapshot in force. */
  HostRouter hostRouter() {
    RoutingSnapshot current = proxy.state().current();
    Routes r = routes;
    if (r == null || r.snapshot() != current) {
      r = new Routes(current, new HostRouter(current.data().edge(), current.appNames(), config.domain(), config.defaultApp()));
      routes = r;
    }
    return r.router();
  }
}
