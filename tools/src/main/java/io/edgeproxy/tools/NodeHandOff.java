package io.edgeproxy.tools;

import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.dns.DnsServer;
import io.edgeproxy.proxy.ProxyServer;
import io.edgeproxy.tools.handover.HandOverClient;
import io.edgeproxy.tools.handover.HandOverServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's side of a hand-over to a newer agent (tools/DESIGN.md): its DNS sockets for the new
 * agent to adopt, then, at LEAVE, stop accepting everywhere and close all but what open
 * connections need, in reverse start order, the data directory's lock last.
 */
final class NodeHandOff implements HandOverServer.Leaving {
  private static final Logger logger = LoggerFactory.getLogger(NodeHandOff.class);

  private final ProxyServer proxy;
  private final @Nullable DnsServer dns;
  private final @Nullable InetSocketAddress dnsAddress;
  private final NodeResources resources;
  private volatile @Nullable HandOverServer server;

  NodeHandOff(ProxyServer proxy, @Nullable DnsServer dns, @Nullable InetSocketAddress dnsAddress, NodeResources resources) {
    this.proxy = proxy;
    this.dns = dns;
    this.dnsAddress = dnsAddress;
    this.resources = resources;
  }

  /** The hand-over socket, which stops listening first when this node lets go. */
  void listeningOn(HandOverServer value) {
    server = value;
  }

  @Override
  public Optional<HandOverServer.DnsSockets> dnsSockets() {
    DnsServer d = dns;
    InetSocketAddress at = dnsAddress;
    return d == null || at == null ? Optional.empty() : d.handOverSockets().map(sockets -> new HandOverServer.DnsSockets(at, sockets));
  }

  /**
   * Stops accepting everywhere (the proxy's and the HTTPS edge's listeners close, so their queued
   * connections move to the new agent's sockets; DNS stops reading), then closes everything but
   * what open connections need (the proxy and its threads, the edge's certificates, DNS for queries
   * already read, routing.db): the API, the admin endpoint, tunnels (told to move), replication
   * (leaving the cluster), and last the data directory's lock. {@code EdgeNode.close()} later
   * drains and closes the rest.
   */
  @Override
  public void handOff() {
    HandOverServer s = server;
    if (s != null) {
      s.stopListening();
    }
    proxy.stopAccepting();
    if (dns != null) {
      dns.stopReading();
    }
    resources.closeAllButKept();
  }

  /** Whether the running agent's DNS sockets are the ones {@code wanted} names (any, for port 0). */
  static boolean sameDnsAddress(HandOverClient.Ready running, InetSocketAddress wanted) {
    return running.dnsAddress() != null && (wanted.getPort() == 0 || running.dnsAddress().equals(SocketAddresses.format(wanted)));
  }

  /** Warns when closing a listener would reset, not move, its queued connections (tcp_migrate_req, Linux 5.14+). */
  static void warnUnlessAcceptQueuesMigrate() {
    String value;
    try {
      value = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_migrate_req")).strip();
    } catch (IOException e) {
      value = "missing";
    }
    if (!value.equals("1")) {
      logger.warn("net.ipv4.tcp_migrate_req is {}: connections waiting in the running agent's accept queues when it stops"
          + " accepting will be reset; set it to 1 (sysctl -w net.ipv4.tcp_migrate_req=1; the Debian package does)", value);
    }
  }
}
