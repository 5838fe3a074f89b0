package io.edgeproxy.tools.admin;

import io.edgeproxy.core.routing.BackendLoad;
import io.edgeproxy.proxy.health.BackendHealth;
import io.edgeproxy.replication.ReplicationStatus;
import io.edgeproxy.tools.EdgeNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
public final class NodeMetrics {
  private static final Map<Integer, String> DNS_RCODES = Map.of(
      0, "NOERROR", 1, "FORMERR", 2, "SERVFAIL", 3, "NXDOMAIN", 4, "NOTIMP", 5, "REFUSED", 16, "BADVERS");
  private final EdgeNode node;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MultiGauge backendActive;
  private final MultiGauge backendConnections;
  private final MultiGauge backendFailures;
  private final MultiGauge backendBytesIn;
  private final MultiGauge backendBytesOut;
  private final MultiGauge tunnelStreams;
  private final MultiGauge tunnelBytesIn;
  private final MultiGauge tunnelBytesOut;
  private final MultiGauge tunnelRtt;
  private final MultiGauge peerLagMillis;
  private final MultiGauge peerBehind;
  private final MultiGauge peerClockOffset;
  private final MultiGauge peerClockSkewed;
  /** Replication's state as of the last scrape (one status read per scrape, not one per meter). */
  private final java.util.concurrent.atomic.AtomicLong versions = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong connectedPeers = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong rejoining = new java.util.concurrent.atomic.AtomicLong();
  private final MultiGauge healthUp;
  private final MultiGauge healthChecks;
  private final MultiGauge healthFailures;
  private final CacheMetrics cache;
  private final CacheMetrics shield;

  public NodeMetrics(EdgeNode node) {
    this.node = node;
    Tags pop = Tags.of("region", node.config().node().region());
    this.cache = new CacheMetrics(registry, pop, () -> node.proxy().cacheStats());
    this.shield = new CacheMetrics(registry, pop, () -> node.proxy().shieldStats(), "edge.cache.shield");
    node.httpMetrics().bindTo(registry);
    Gauge.builder("edge.snapshot.version", node, n -> n.state().current().version()).tags(pop)
        .description("Version of the routing snapshot in force").register(registry);
    Gauge.builder("edge.routing.backends", node, n -> n.state().current().backends().size()).tags(pop).register(registry);
    Gauge.builder("edge.proxy.connections.open", node, n -> n.proxy().activeConnections()).tags(pop).register(registry);
    FunctionCounter.builder("edge.proxy.accepted", node, n -> n.proxy().stats().acceptedTotal()).tags(pop).register(registry);
    FunctionCounter.builder("edge.proxy.refused", node, n -> n.proxy().stats().refusedTotal()).tags(pop)
        .description("Clients closed because no backend could take them").register(registry);
    FunctionCounter.builder("edge.proxy.connect.failures", node, n -> n.proxy().stats().connectFailuresTotal()).tags(pop)
        .register(registry);
    edgeCounter(registry, pop, "accepted", "Connections accepted by the HTTPS edge", s -> s.acceptedTotal());
    edgeCounter(registry, pop, "passthrough", "Connections passed through by SNI", s -> s.passthroughTotal());
    edgeCounter(registry, pop, "terminated", "Handshakes completed for a routed app", s -> s.terminatedTotal());
    edgeCounter(registry, pop, "no.app", "Handshakes for a name no app is served at (421 or close)", s -> s.noAppTotal());
    edgeCounter(registry, pop, "not.tls", "Connections whose first bytes were no TLS ClientHello, or a malformed one", s -> s.notTlsTotal());
    edgeCounter(registry, pop, "hello.timeouts", "Connections closed for no ClientHello or handshake in time", s -> s.helloTimeoutsTotal());
    edgeCounter(registry, pop, "handshake.failures", "TLS handshakes that failed", s -> s.handshakeFailuresTotal());
    FunctionCounter.builder("edge.acme.issued", node, n -> n.acme() == null ? 0 : n.acme().issuedTotal()).tags(pop)
        .description("Certificates this POP obtained by ACME").register(registry);
    FunctionCounter.builder("edge.acme.failures", node, n -> n.acme() == null ? 0 : n.acme().failuresTotal()).tags(pop)
        .description("ACME orders of this POP that failed (each backs off, see edgeproxy status)").register(registry);
    edgeCounter(registry, pop, "tunnel.refused", "Connections offering ALPN edgeproxy-tunnel, refused", s -> s.tunnelRefusedTotal());
    Gauge.builder("edge.tunnels.held", node, n -> n.tunnels() == null ? 0 : n.tunnels().tunnels().size()).tags(pop)
        .description("Device tunnels connected to this POP").register(registry);
    FunctionCounter.builder("edge.tunnels.refused", node, n -> n.tunnels() == null ? 0 : n.tunnels().refusedCount()).tags(pop)
        .description("Tunnel agents refused (bad token, token of another app, no hello in time)").register(registry);
    FunctionCounter.builder("edge.tunnels.misbehaved", node, n -> n.tunnels() == null ? 0 : n.tunnels().misbehavedCount()).tags(pop)
        .description("Tunnel agents disconnected for breaking the protocol").register(registry);
    tunnelStreams = MultiGauge.builder("edge.tunnel.streams.open").description("Client connections open through the tunnel")
        .register(registry);
    tunnelBytesIn = MultiGauge.builder("edge.tunnel.bytes.received").description("Bytes from the agent to clients").baseUnit("bytes")
        .register(registry);
    tunnelBytesOut = MultiGauge.builder("edge.tunnel.bytes.sent").description("Bytes from clients to the agent").baseUnit("bytes")
        .register(registry);
    tunnelRtt = MultiGauge.builder("edge.tunnel.rtt").description("Round-trip time of the tunnel's path").baseUnit("seconds")
        .register(registry);
    backendActive = MultiGauge.builder("edge.proxy.backend.connections.active").register(registry);
    backendConnections = MultiGauge.builder("edge.proxy.backend.connections").description("Connections established, total")
        .register(registry);
    backendFailures = MultiGauge.builder("edge.proxy.backend.connect.failures").register(registry);
    backendBytesIn = MultiGauge.builder("edge.proxy.backend.bytes.sent").description("Bytes relayed from clients to the backend")
        .baseUnit("bytes").register(registry);
    backendBytesOut = MultiGauge.builder("edge.proxy.backend.bytes.received").description("Bytes relayed from the backend to clients")
        .baseUnit("bytes").register(registry);
    for (int tier = 0; tier <= 3; tier++) {
      int t = tier;
      FunctionCounter.builder("edge.proxy.picks", node, n -> n.proxy().stats().picksInTier(t)).tags(pop.and("tier", String.valueOf(t)))
          .description("Backends picked for a client, by tier: 0 same country, 1 same region, 2 this POP's region, 3 elsewhere")
          .register(registry);
    }
    peerLagMillis = MultiGauge.builder("edge.replication.peer.lag.ms").register(registry);
    peerBehind = MultiGauge.builder("edge.replication.peer.behind.changes").register(registry);
    peerClockOffset = MultiGauge.builder("edge.replication.peer.clock.offset.ms")
        .description("The peer's clock minus this POP's, measured NTP-style on the change-stream").register(registry);
    peerClockSkewed = MultiGauge.builder("edge.replication.peer.clock.skewed")
        .description("1 when the peer's clock is further off than EDGEPROXY_REPLICATION_MAX_CLOCK_SKEW_MS").register(registry);
    healthUp = MultiGauge.builder("edge.health.check.up")
        .description("1 while this POP's active health check lets the backend take clients, 0 while it holds it down")
        .register(registry);
    healthChecks = MultiGauge.builder("edge.health.checks").description("Health check probes finished, total").register(registry);
    healthFailures = MultiGauge.builder("edge.health.check.failures").description("Failed health check probes, total")
        .register(registry);
    if (node.dns() != null) {
      var dns = node.dns().stats();
      FunctionCounter.builder("edge.dns.queries", dns, d -> d.queriesTotal()).tags(pop)
          .description("DNS messages received (UDP and TCP)").register(registry);
      for (int rcode : new int[] {0, 1, 2, 3, 4, 5, 16}) {
        FunctionCounter.builder("edge.dns.responses", dns, d -> d.responsesTotal(rcode))
            .tags(pop.and("rcode", DNS_RCODES.get(rcode))).register(registry);
      }
      FunctionCounter.builder("edge.dns.rate.limited", dns, d -> d.rateLimitedTotal()).tags(pop)
          .description("UDP responses dropped or sent empty with TC by the per-source rate limit").register(registry);
      FunctionCounter.builder("edge.dns.not.allowed", dns, d -> d.notAllowedTotal()).tags(pop)
          .description("Queries answered REFUSED because the client is outside EDGEPROXY_DNS_ALLOW_FROM").register(registry);
      FunctionCounter.builder("edge.dns.truncated", dns, d -> d.truncatedTotal()).tags(pop)
          .description("UDP responses truncated (TC) because the answer did not fit").register(registry);
      FunctionCounter.builder("edge.dns.forwarded", dns, d -> d.forwardedTotal()).tags(pop)
          .description("Queries for names outside the zone forwarded to the upstream resolvers").register(registry);
      FunctionCounter.builder("edge.dns.forward.overflow", dns, d -> d.forwardOverflowTotal()).tags(pop)
          .description("Queries to forward answered SERVFAIL at once: too many forwarded queries in flight").register(registry);
      FunctionCounter.builder("edge.dns.upstream.timeouts", dns, d -> d.upstreamTimeoutsTotal()).tags(pop)
          .description("Forwarding tries an upstream resolver did not answer within the timeout").register(registry);
      FunctionCounter.builder("edge.dns.upstream.failures", dns, d -> d.upstreamFailuresTotal()).tags(pop)
          .description("Forwarding tries that failed otherwise: not sent, refused or closed connections, SERVFAIL or REFUSED")
          .register(registry);
      FunctionCounter.builder("edge.dns.upstream.ignored", dns, d -> d.upstreamIgnoredTotal()).tags(pop)
          .description("Datagrams on the forwarding sockets answering no pending try (wrong id, sender or question, or late)")
          .register(registry);
    }
    if (node.replicator() != null) {
      var replicator = node.replicator();
      var counters = replicator.counters();
      Gauge.builder("edge.replication.versions", versions, java.util.concurrent.atomic.AtomicLong::get).register(registry);
      Gauge.builder("edge.replication.peers.connected", connectedPeers, java.util.concurrent.atomic.AtomicLong::get)
          .register(registry);
      Gauge.builder("edge.replication.held", held, java.util.concurrent.atomic.AtomicLong::get)
          .description("Changes from peers stamped further ahead than the skew bound, held until this clock reaches them")
          .register(registry);
      Gauge.builder("edge.replication.rejoining", rejoining, java.util.concurrent.atomic.AtomicLong::get)
          .description("1 while this POP replaces its rows with a peer's copy (it was cut off longer than tombstones live)")
          .register(registry);
      FunctionCounter.builder("edge.replication.applied", counters, c -> c.applied()).register(registry);
      FunctionCounter.builder("edge.replication.stale", counters, c -> c.stale()).register(registry);
      FunctionCounter.builder("edge.replication.rejected", replicator, r -> r.counters().rejected()).register(registry);
      FunctionCounter.builder("edge.replication.pushed", counters, c -> c.pushed()).register(registry);
      FunctionCounter.builder("edge.replication.storage.failures", counters, c -> c.storageFailures())
          .description("routing.db operations of replication that failed (disk full, locked); the last good state is kept")
          .register(registry);
    }
  }

  /** The registry other parts of the node (the discovery API) add their meters to. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition, refreshed from live state. */
  public synchronized String scrape() {
    cache.refresh();
    shield.refresh();
    List<MultiGauge.Row<?>> active = new ArrayList<>();
    List<MultiGauge.Row<?>> total = new ArrayList<>();
    List<MultiGauge.Row<?>> failures = new ArrayList<>();
    List<MultiGauge.Row<?>> bytesIn = new ArrayList<>();
    List<MultiGauge.Row<?>> bytesOut = new ArrayList<>();
    for (Map.Entry<String, BackendLoad> e : node.state().loads().view().entrySet()) {
      Tags tags = Tags.of("backend", e.getKey());
      active.add(MultiGauge.Row.of(tags, e.getValue().active()));
      total.add(MultiGauge.Row.of(tags, e.getValue().connectionsTotal()));
      failures.add(MultiGauge.Row.of(tags, e.getValue().connectFailuresTotal()));
      bytesIn.add(MultiGauge.Row.of(tags, e.getValue().bytesToBackend()));
      bytesOut.add(MultiGauge.Row.of(tags, e.getValue().bytesFromBackend()));
    }
    backendActive.register(active, true);
    backendConnections.register(total, true);
    backendFailures.register(failures, true);
    backendBytesIn.register(bytesIn, true);
    backendBytesOut.register(bytesOut, true);
    List<MultiGauge.Row<?>> streams = new ArrayList<>();
    List<MultiGauge.Row<?>> tIn = new ArrayList<>();
    List<MultiGauge.Row<?>> tOut = new ArrayList<>();
    List<MultiGauge.Row<?>> rtt = new ArrayList<>();
    for (io.edgeproxy.tunnel.Tunnel t : node.tunnels() == null ? List.<io.edgeproxy.tunnel.Tunnel>of() : node.tunnels().tunnels()) {
      Tags tags = Tags.of("tunnel", t.id(), "app", t.app(), "agent", t.agent());
      streams.add(MultiGauge.Row.of(tags, t.openStreams()));
      tIn.add(MultiGauge.Row.of(tags, t.bytesIn()));
      tOut.add(MultiGauge.Row.of(tags, t.bytesOut()));
      if (t.rttNanos() >= 0) {
        rtt.add(MultiGauge.Row.of(tags, t.rttNanos() / 1e9));
      }
    }
    tunnelStreams.register(streams, true);
    tunnelBytesIn.register(tIn, true);
    tunnelBytesOut.register(tOut, true);
    tunnelRtt.register(rtt, true);
    List<MultiGauge.Row<?>> up = new ArrayList<>();
    List<MultiGauge.Row<?>> checks = new ArrayList<>();
    List<MultiGauge.Row<?>> checkFailures = new ArrayList<>();
    for (BackendHealth h : node.healthChecker().backends()) {
      Tags tags = Tags.of("app", h.app(), "backend", h.backendId());
      up.add(MultiGauge.Row.of(tags, h.up() ? 1 : 0));
      checks.add(MultiGauge.Row.of(tags, h.checksTotal()));
      checkFailures.add(MultiGauge.Row.of(tags, h.failuresTotal()));
    }
    healthUp.register(up, true);
    healthChecks.register(checks, true);
    healthFailures.register(checkFailures, true);
    if (node.replicator() != null) {
      ReplicationStatus status = node.replicator().status();
      versions.set(status.versions());
      connectedPeers.set(status.peers().stream().filter(ReplicationStatus.Peer::connected).count());
      held.set(status.heldChanges());
      rejoining.set(status.rejoin() == null ? 0 : 1);
      List<MultiGauge.Row<?>> lag = new ArrayList<>();
      List<MultiGauge.Row<?>> behind = new ArrayList<>();
      List<MultiGauge.Row<?>> offset = new ArrayList<>();
      List<MultiGauge.Row<?>> skewed = new ArrayList<>();
      for (ReplicationStatus.Peer peer : status.peers()) {
        Tags tags = Tags.of("peer", peer.nodeId());
        lag.add(MultiGauge.Row.of(tags, peer.millisBehind()));
        behind.add(MultiGauge.Row.of(tags, peer.changesBehind()));
        if (peer.clockOffsetMs() != null) {
          offset.add(MultiGauge.Row.of(tags, peer.clockOffsetMs()));
        }
        skewed.add(MultiGauge.Row.of(tags, peer.skewed() ? 1 : 0));
      }
      peerLagMillis.register(lag, true);
      peerBehind.register(behind, true);
      peerClockOffset.register(offset, true);
      peerClockSkewed.register(skewed, true);
    }
    return registry.scrape();
  }

  private void edgeCounter(MeterRegistry registry, Tags pop, String name, String description,
      java.util.function.ToDoubleFunction<io.edgeproxy.proxy.EdgeStats> value) {
    FunctionCounter.builder("edge.https." + name, node, n -> value.applyAsDouble(n.proxy().edgeStats())).tags(pop)
        .description(description).register(registry);
  }
}
