package io.edgeproxy.tools.admin;

import io.edgeproxy.core.routing.BackendLoad;
import io.edgeproxy.replication.ReplicationStatus;
import io.edgeproxy.tools.EdgeNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The node's metrics in Prometheus text (Micrometer). Figures are read from the live state when
 * scraped; nothing on the proxy's hot path touches the registry.
 */
final class NodeMetrics {
  private final EdgeNode node;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MultiGauge backendActive;
  private final MultiGauge backendConnections;
  private final MultiGauge backendFailures;
  private final MultiGauge peerLagMillis;
  private final MultiGauge peerBehind;

  NodeMetrics(EdgeNode node) {
    this.node = node;
    Tags pop = Tags.of("region", node.config().node().region());
    Gauge.builder("edge.snapshot.version", node, n -> n.state().current().version()).tags(pop)
        .description("Version of the routing snapshot in force").register(registry);
    Gauge.builder("edge.routing.backends", node, n -> n.state().current().backends().size()).tags(pop).register(registry);
    Gauge.builder("edge.proxy.connections.open", node, n -> n.proxy().activeConnections()).tags(pop).register(registry);
    FunctionCounter.builder("edge.proxy.accepted", node, n -> n.proxy().stats().acceptedTotal()).tags(pop).register(registry);
    FunctionCounter.builder("edge.proxy.refused", node, n -> n.proxy().stats().refusedTotal()).tags(pop)
        .description("Clients closed because no backend could take them").register(registry);
    FunctionCounter.builder("edge.proxy.connect.failures", node, n -> n.proxy().stats().connectFailuresTotal()).tags(pop)
        .register(registry);
    backendActive = MultiGauge.builder("edge.proxy.backend.connections.active").register(registry);
    backendConnections = MultiGauge.builder("edge.proxy.backend.connections").description("Connections established, total")
        .register(registry);
    backendFailures = MultiGauge.builder("edge.proxy.backend.connect.failures").register(registry);
    peerLagMillis = MultiGauge.builder("edge.replication.peer.lag.ms").register(registry);
    peerBehind = MultiGauge.builder("edge.replication.peer.behind.changes").register(registry);
    if (node.replicator() != null) {
      var replicator = node.replicator();
      Gauge.builder("edge.replication.versions", replicator, r -> r.status().versions()).register(registry);
      Gauge.builder("edge.replication.peers.connected", replicator,
          r -> r.status().peers().stream().filter(ReplicationStatus.Peer::connected).count()).register(registry);
      FunctionCounter.builder("edge.replication.applied", replicator, r -> r.status().appliedTotal()).register(registry);
      FunctionCounter.builder("edge.replication.stale", replicator, r -> r.status().staleTotal()).register(registry);
      FunctionCounter.builder("edge.replication.rejected", replicator, r -> r.status().rejectedTotal()).register(registry);
      FunctionCounter.builder("edge.replication.pushed", replicator, r -> r.status().pushedTotal()).register(registry);
    }
  }

  /** The Prometheus text exposition, refreshed from live state. */
  String scrape() {
    List<MultiGauge.Row<?>> active = new ArrayList<>();
    List<MultiGauge.Row<?>> total = new ArrayList<>();
    List<MultiGauge.Row<?>> failures = new ArrayList<>();
    for (Map.Entry<String, BackendLoad> e : node.state().loads().view().entrySet()) {
      Tags tags = Tags.of("backend", e.getKey());
      active.add(MultiGauge.Row.of(tags, e.getValue().active()));
      total.add(MultiGauge.Row.of(tags, e.getValue().connectionsTotal()));
      failures.add(MultiGauge.Row.of(tags, e.getValue().connectFailuresTotal()));
    }
    backendActive.register(active, true);
    backendConnections.register(total, true);
    backendFailures.register(failures, true);
    if (node.replicator() != null) {
      List<MultiGauge.Row<?>> lag = new ArrayList<>();
      List<MultiGauge.Row<?>> behind = new ArrayList<>();
      for (ReplicationStatus.Peer peer : node.replicator().status().peers()) {
        Tags tags = Tags.of("peer", peer.nodeId());
        lag.add(MultiGauge.Row.of(tags, peer.millisBehind()));
        behind.add(MultiGauge.Row.of(tags, peer.changesBehind()));
      }
      peerLagMillis.register(lag, true);
      peerBehind.register(behind, true);
    }
    return registry.scrape();
  }
}
