package io.edgeproxy.tools;

import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.replication.ReplicationStatus;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Every address a started node listens on, one line each, as the agent prints them at start
 * ({@code proxy: ADDRESS -> app APP} first, as before; scripts read those lines).
 */
public final class NodeListeners {
  private NodeListeners() {}

  public static List<String> lines(EdgeNode node) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < node.proxyAddresses().size(); i++) {
      out.add("proxy: " + SocketAddresses.format(node.proxyAddresses().get(i)) + " -> app "
          + node.config().proxy().listeners().get(i).app());
    }
    add(out, "https", node.edgeAddress(), "TCP: TLS for every app by SNI, ALPN h2, http/1.1, edgeproxy-tunnel");
    add(out, "http", node.httpAddress(), "TCP: plain HTTP, ACME challenges, redirects to https");
    add(out, "dns", node.dnsAddress(), "UDP and TCP: zone " + (node.dns() == null ? "" : node.config().dns().zone()));
    boolean apiTls = node.config().api() != null && node.config().api().tls() != null;
    add(out, "api", node.apiAddress(), "TCP: discovery API, status page /ui" + (apiTls ? ", TLS" : ""));
    add(out, "admin", node.adminAddress(), "TCP: /v1/status and the CLI's queries, /metrics");
    add(out, "tunnels", node.tunnels() == null ? null : node.tunnels().address(), "UDP: QUIC device tunnels");
    if (node.replicator() != null) {
      ReplicationStatus status = node.replicator().status();
      out.add("gossip: " + status.gossipAddress() + " (TCP: SWIM membership, node " + status.nodeId() + ")");
      out.add("change-stream: " + status.streamAddress() + " (UDP: QUIC, mutual TLS between POPs)");
    }
    return out;
  }

  private static void add(List<String> out, String name, @Nullable InetSocketAddress address, String what) {
    if (address != null) {
      out.add(name + ": " + SocketAddresses.format(address) + " (" + what + ")");
    }
  }
}
