package io.edgeproxy.tools.admin;

import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.tools.EdgeNode;
import io.edgeproxy.tunnel.Tunnel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One device tunnel as {@code GET /v1/tunnels} and {@code edgeproxy tunnel list} show it: the
 * tunnels this POP holds with their live figures, then the ones other POPs hold as the routing
 * snapshot knows them (no live figures: those are the holding POP's).
 *
 * @param held true when this POP holds it
 * @param remote the agent's public address as its POP saw it
 * @param transport {@code quic}, or {@code tcp} for the fallback; held tunnels only
 * @param rttMs the path's round-trip time (QUIC's measure, or the agent's over TCP), held tunnels only
 */
public record TunnelView(String id, String app, @Nullable String agent, String pop, boolean held, String remote, @Nullable String transport,
    @Nullable Long sinceMs, @Nullable Integer openStreams, @Nullable Long streams, @Nullable Long bytesIn, @Nullable Long bytesOut,
    @Nullable Double rttMs) {

  static List<TunnelView> of(EdgeNode node) {
    List<TunnelView> out = new ArrayList<>();
    Set<String> held = new HashSet<>();
    String self = node.replicator() != null ? node.replicator().nodeId() : node.config().node().region();
    if (node.tunnels() != null) {
      for (Tunnel t : node.tunnels().tunnels()) {
        held.add(t.id());
        out.add(new TunnelView(t.id(), t.app(), t.agent(), self, true, SocketAddresses.format(t.remote()), t.transport(), t.sinceMs(),
            t.openStreams(), t.streamsOpened(), t.bytesIn(), t.bytesOut(), t.rttNanos() < 0 ? null : t.rttNanos() / 1e6));
      }
    }
    for (Backend b : node.state().current().backends()) {
      Backend.TunnelEnd end = b.tunnel();
      if (end != null && !held.contains(end.tunnelId())) {
        out.add(new TunnelView(end.tunnelId(), b.app(), null, end.pop(), false, SocketAddresses.format(b.socketAddress()), null, null,
            null, null, null, null, null));
      }
    }
    return out;
  }
}
