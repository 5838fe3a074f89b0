package io.edgeproxy.tools.admin;

import io.edgeproxy.tools.EdgeNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The node's metrics in Prometheus text (Micrometer). Figures are read from the live state when
 * scraped; nothing on the proxy's hot path touches the registry. Meters with a row per backend,
 * tunnel, peer or certificate are refreshed at each scrape (see {@link MeterRows}). The names,
 * HELP texts and types pass {@code promtool check metrics} (PrometheusIT runs it).
 */
public final class NodeMetrics {
  private final EdgeNode node;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CacheMetrics cache;
  private final CacheMetrics shield;
  private final BackendMetrics backends;
  private final TunnelMetrics tunnels;
  private final HttpsEdgeMetrics edge;
  private final @Nullable ReplicationMetrics replication;

  public NodeMetrics(EdgeNode node) {
    this.node = node;
    Tags pop = Tags.of("region", node.config().node().region());
    this.cache = new CacheMetrics(registry, pop, () -> node.proxy().cacheStats());
    this.shield = new CacheMetrics(registry, pop, () -> node.proxy().shieldStats(), "edge.cache.shield");
    node.httpMetrics().bindTo(registry);
    Gauge.builder("edge.snapshot.version", node, n -> n.state().current().version()).tags(pop)
        .description("Version of the routing snapshot in force").register(registry);
    Gauge.builder("edge.routing.backends", node, n -> n.state().current().backends().size()).tags(pop)
        .description("Backends in the routing snapshot in force").register(registry);
    Gauge.builder("edge.proxy.connections.open", node, n -> n.proxy().activeConnections()).tags(pop)
        .description("Client connections the proxy holds open").register(registry);
    FunctionCounter.builder("edge.proxy.accepted", node, n -> n.proxy().stats().acceptedTotal()).tags(pop)
        .description("Client connections accepted by the proxy listeners").register(registry);
    FunctionCounter.builder("edge.proxy.refused", node, n -> n.proxy().stats().refusedTotal()).tags(pop)
        .description("Clients closed because no backend could take them").register(registry);
    FunctionCounter.builder("edge.proxy.connect.failures", node, n -> n.proxy().stats().connectFailuresTotal()).tags(pop)
        .description("Connects to backends that failed, all backends").register(registry);
    for (int tier = 0; tier <= 3; tier++) {
      int t = tier;
      FunctionCounter.builder("edge.proxy.picks", node, n -> n.proxy().stats().picksInTier(t)).tags(pop.and("tier", String.valueOf(t)))
          .description("Backends picked for a client, by tier: 0 same country, 1 same region, 2 this POP's region, 3 elsewhere")
          .register(registry);
    }
    this.backends = new BackendMetrics(registry);
    this.tunnels = new TunnelMetrics(registry, node, pop);
    this.edge = new HttpsEdgeMetrics(registry, node, pop);
    if (node.dns() != null) {
      DnsMetrics.register(registry, node.dns().stats(), pop);
    }
    this.replication = node.replicator() == null ? null : new ReplicationMetrics(registry, node.replicator());
  }

  /** The registry other parts of the node (the discovery API) add their meters to. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition, refreshed from live state. */
  public synchronized String scrape() {
    cache.refresh();
    shield.refresh();
    backends.refresh(node);
    tunnels.refresh(node);
    edge.refresh(node);
    if (replication != null) {
      replication.refresh();
    }
    return registry.scrape();
  }
}
