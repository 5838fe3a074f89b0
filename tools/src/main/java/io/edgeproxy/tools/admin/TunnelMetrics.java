package io.edgeproxy.tools.admin;

import io.edgeproxy.tools.EdgeNode;
import io.edgeproxy.tunnel.Tunnel;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;

/**
 * The device tunnels this POP holds: how many, agents refused and disconnected, and per tunnel
 * ({@code tunnel}, {@code app}, {@code agent} labels) streams open, bytes each way and the path's
 * round trip.
 */
final class TunnelMetrics {
  private final MeterRows streams;
  private final MeterRows received;
  private final MeterRows sent;
  private final MeterRows rtt;

  TunnelMetrics(MeterRegistry registry, EdgeNode node, Tags pop) {
    Gauge.builder("edge.tunnels.held", node, n -> n.tunnels() == null ? 0 : n.tunnels().tunnels().size()).tags(pop)
        .description("Device tunnels connected to this POP").register(registry);
    FunctionCounter.builder("edge.tunnels.refused", node, n -> n.tunnels() == null ? 0 : n.tunnels().refusedCount()).tags(pop)
        .description("Tunnel agents refused (bad token, token of another app, no hello in time)").register(registry);
    FunctionCounter.builder("edge.tunnels.misbehaved", node, n -> n.tunnels() == null ? 0 : n.tunnels().misbehavedCount()).tags(pop)
        .description("Tunnel agents disconnected for breaking the protocol").register(registry);
    streams = MeterRows.gauge(registry, "edge.tunnel.streams.open", "Client connections open through the tunnel", null);
    received = MeterRows.counter(registry, "edge.tunnel.received", "Bytes from the agent to clients", "bytes");
    sent = MeterRows.counter(registry, "edge.tunnel.sent", "Bytes from clients to the agent", "bytes");
    rtt = MeterRows.gauge(registry, "edge.tunnel.rtt", "Round-trip time of the tunnel's path", "seconds");
  }

  void refresh(EdgeNode node) {
    for (Tunnel t : node.tunnels() == null ? List.<Tunnel>of() : node.tunnels().tunnels()) {
      Tags tags = Tags.of("tunnel", t.id(), "app", t.app(), "agent", t.agent());
      streams.row(tags, t.openStreams());
      received.row(tags, t.bytesIn());
      sent.row(tags, t.bytesOut());
      if (t.rttNanos() >= 0) {
        rtt.row(tags, t.rttNanos() / 1e9);
      }
    }
    for (MeterRows meter : List.of(streams, received, sent, rtt)) {
      meter.publish();
    }
  }
}
