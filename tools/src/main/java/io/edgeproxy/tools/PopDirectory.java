package io.edgeproxy.tools;

import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.dns.Pop;
import io.edgeproxy.replication.ReplicationStatus;
import io.edgeproxy.replication.Replicator;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance nodes DNS lists under {@code pops.<zone>}: this node, plus, with replication on,
 * every peer membership knows to be up. Refreshed every second on its own thread (replication's
 * status waits for the database thread), so {@link #current()} is a volatile read, safe on the
 * DNS I/O threads.
 */
final class PopDirectory implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(PopDirectory.class);

  private final Pop self;
  private final @Nullable Replicator replicator;
  private final @Nullable ScheduledExecutorService refresher;
  private volatile List<Pop> pops;

  private PopDirectory(Pop self, @Nullable Replicator replicator) {
    this.self = self;
    this.replicator = replicator;
    this.pops = List.of(self);
    if (replicator == null) {
      refresher = null;
      return;
    }
    refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pop-directory");
      t.setDaemon(true);
      return t;
    });
    refresher.scheduleWithFixedDelay(this::refresh, 0, 1, TimeUnit.SECONDS);
  }

  static PopDirectory start(EdgeConfig config, @Nullable Replicator replicator) {
    String id = replicator != null ? replicator.nodeId() : "local";
    return new PopDirectory(new Pop(id, config.node().region(), selfAddress(config)), replicator);
  }

  List<Pop> current() {
    return pops;
  }

  /** The cluster's members as this POP (of {@code region}) sees them, itself first. */
  static List<io.edgeproxy.discovery.ApiContext.Member> members(String region, @Nullable Replicator replicator) {
    List<io.edgeproxy.discovery.ApiContext.Member> out = new ArrayList<>();
    if (replicator == null) {
      out.add(new io.edgeproxy.discovery.ApiContext.Member(region, region, "", true, true));
      return out;
    }
    ReplicationStatus status = replicator.status();
    out.add(new io.edgeproxy.discovery.ApiContext.Member(status.nodeId(), region, status.streamAddress(), true, true));
    for (ReplicationStatus.Peer peer : status.peers()) {
      out.add(new io.edgeproxy.discovery.ApiContext.Member(peer.nodeId(), peer.region(), peer.streamAddress(), false,
          peer.connected()));
    }
    return out;
  }

  private void refresh() {
    try {
      List<Pop> next = new ArrayList<>();
      next.add(self);
      for (ReplicationStatus.Peer peer : replicator.status().peers()) {
        hostOf(peer.streamAddress()).ifPresent(address -> next.add(new Pop(peer.nodeId(), peer.region(), address)));
      }
      pops = List.copyOf(next);
    } catch (RuntimeException e) {
      logger.debug("cannot refresh the POP list: {}", e.toString());
    }
  }

  /** The address of "host:port" or "[v6]:port"; names are resolved here, off the DNS threads. */
  private static Optional<InetAddress> hostOf(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = (colon > 0 ? hostPort.substring(0, colon) : hostPort).replace("[", "").replace("]", "");
    Optional<InetAddress> literal = IpAddresses.parseLiteral(host);
    if (literal.isPresent()) {
      return literal;
    }
    try {
      return Optional.of(InetAddress.getByName(host));
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Where this node is reached: replication's advertised host, else the first specific listen
   * address (DNS, then the proxy), else the first non-loopback IPv4 address, else loopback.
   */
  private static InetAddress selfAddress(EdgeConfig config) {
    if (config.replication() != null && config.replication().advertiseHost() != null) {
      Optional<InetAddress> advertised = hostOf(config.replication().advertiseHost() + ":0");
      if (advertised.isPresent()) {
        return advertised.get();
      }
    }
    List<InetSocketAddress> listening = new ArrayList<>();
    if (config.dns() != null) {
      listening.add(config.dns().listen());
    }
    config.proxy().listeners().forEach(l -> listening.add(l.address()));
    for (InetSocketAddress a : listening) {
      if (a.getAddress() != null && !a.getAddress().isAnyLocalAddress()) {
        return a.getAddress();
      }
    }
    return firstNonLoopback().orElse(InetAddress.getLoopbackAddress());
  }

  private static Optional<InetAddress> firstNonLoopback() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nic.isUp() && !nic.isLoopback()) {
          for (InetAddress a : Collections.list(nic.getInetAddresses())) {
            if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
              return Optional.of(a);
            }
          }
        }
      }
    } catch (SocketException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    if (refresher != null) {
      refresher.shutdownNow();
    }
  }
}
