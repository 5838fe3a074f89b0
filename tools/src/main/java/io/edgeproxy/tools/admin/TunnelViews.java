package io.edgeproxy.tools.admin;

import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.discovery.TunnelView;
import io.edgeproxy.tools.EdgeNode;
import io.edgeproxy.tunnel.Tunnel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The tunnels {@code GET /v1/tunnels}, {@code edgeproxy tunnel list} and the status page show ({@link TunnelView}). */
public final class TunnelViews {
  private TunnelViews() {}

  public static List<TunnelView> of(EdgeNode node) {
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
