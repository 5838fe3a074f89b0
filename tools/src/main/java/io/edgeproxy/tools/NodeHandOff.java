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
  private final @Nullable String nodeId;
  private final io.edgeproxy.tools.tunnel.@Nullable PopTunnels tunnels;
  private volatile @Nullable HandOverServer server;
  private volatile boolean happened;
  /** The agent this one took over from, until it has exited. */
  private volatile java.util.concurrent.CompletableFuture<?> predecessor = java.util.concurrent.CompletableFuture.completedFuture(null);
  private volatile long predecessorPid;
  private volatile boolean busy;

  NodeHandOff(ProxyServer proxy, @Nullable DnsServer dns, @Nullable InetSocketAddress dnsAddress, NodeResources resources,
      @Nullable String nodeId, io.edgeproxy.tools.tunnel.@Nullable PopTunnels tunnels, long predecessorPid) {
    this.proxy = proxy;
    this.tunnels = tunnels;
    this.dns = dns;
    this.dnsAddress = dnsAddress;
    this.resources = resources;
    this.nodeId = nodeId;
    if (predecessorPid > 0) {
      tookOverFrom(predecessorPid);
    }
  }

  /**
   * Listens for the next agent beside {@code routingDb}, or, where that cannot be (no native epoll,
   * a path too long for a Unix socket), says so and returns null: the node runs on without reloads.
   */
  static @Nullable HandOverServer listen(Path routingDb, NodeHandOff leaving) {
    try {
      HandOverServer server = HandOverServer.start(routingDb, leaving);
      leaving.server = server;
      return server;
    } catch (RuntimeException | LinkageError e) {
      logger.warn("no zero-downtime reload for this agent: {} (edgeproxy reload will say no agent runs; restart instead)",
          e.getMessage());
      return null;
    }
  }

  @Override
  public @Nullable String nodeId() {
    return nodeId;
  }

  @Override
  public @Nullable String refusal() {
    if (!predecessor.isDone()) {
      // Its tunnel socket is still the group's first: the steering program's indexes would be wrong.
      return "the agent this one took over from (pid " + predecessorPid + ") is still draining; try again once it has exited";
    }
    if (tunnels != null && tunnels.generation() >= 0) {
      String notSteered = tunnels.steerNewConnectionsAway();
      if (notSteered != null) {
        return "cannot steer device tunnels' new connections to a new agent (" + notSteered + "): restart instead";
      }
    }
    return null;
  }

  @Override
  public int prepareTunnels() {
    busy = true;
    if (tunnels == null || tunnels.generation() < 0) {
      return -1;
    }
    tunnels.sweepOthers(false); // the new agent's rows carry this POP's id too
    return tunnels.generation();
  }

  @Override
  public int moveTunnelAgents() {
    return tunnels == null ? 0 : tunnels.moveAgents(true);
  }

  @Override
  public void abandoned() {
    busy = false;
    if (tunnels != null) {
      tunnels.sweepOthers(true);
    }
  }

  /** The hand-over socket, or null when it could not be made. */
  @Nullable HandOverServer server() {
    return server;
  }

  /** Whether this node has let go ({@link #handOff}): its close then drains before its tunnels go. */
  boolean happened() {
    return happened;
  }

  /**
   * Taking over: binds the device tunnel listener on the running agent's port (the next generation
   * of connection ids), has the running agent ask its device agents to reconnect, and waits (at
   * most 10 s) until as many tunnels are held here, so the proxy reaches them from its first
   * connection on.
   */
  static io.edgeproxy.tools.tunnel.PopTunnels takeOverTunnels(HandOverClient from, HandOverClient.Ready old,
      InetSocketAddress listen, io.edgeproxy.tools.tls.TlsContexts.Served tls, String pop, io.edgeproxy.sql.RoutingDb db,
      io.edgeproxy.core.routing.RoutingState state, io.edgeproxy.core.geo.ClientLocator locator, Runnable reload) {
    var socket = new io.edgeproxy.tunnel.TunnelServer.Socket(listen, (old.tunnelGeneration() + 1) & 0xff, true);
    var tunnels = io.edgeproxy.tools.tunnel.PopTunnels.start(socket, tls, pop, db, state, locator, reload, null);
    try {
      int asked = from.moveTunnels();
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
      while (tunnels.tunnels().size() < asked && System.nanoTime() - deadline < 0) {
        Thread.sleep(20);
      }
      logger.info("device tunnels: {} of the {} agents asked to move have reconnected here", tunnels.tunnels().size(), asked);
      return tunnels;
    } catch (RuntimeException | InterruptedException e) {
      tunnels.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("cannot move the device tunnels: " + e.getMessage(), e);
    }
  }

  /**
   * This node took over from the agent {@code pid}: no hand-over to a next agent until that one has
   * exited; then this one's upkeep removes all stale rows of this POP again.
   */
  private void tookOverFrom(long pid) {
    predecessorPid = pid;
    predecessor = ProcessHandle.of(pid).map(ProcessHandle::onExit).orElse(java.util.concurrent.CompletableFuture.completedFuture(null))
        .thenRun(() -> {
          if (tunnels != null && !busy) {
            tunnels.sweepOthers(true);
          }
        });
  }

  /** Waits until process {@code pid} has exited, at most {@code timeout}. */
  static void awaitExit(long pid, java.time.Duration timeout) {
    ProcessHandle.of(pid).ifPresent(p -> {
      try {
        p.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        logger.warn("the agent being taken over (pid {}) still runs after {} s", pid, timeout.toSeconds());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
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
   * already read, routing.db, the device tunnels): the API, the admin endpoint, replication
   * (leaving the cluster), and last the data directory's lock. Device tunnels stay for the streams
   * they carry (their agents moved at MOVE). {@code EdgeNode.close()} later
   * drains and closes the rest.
   */
  @Override
  public void handOff() {
    happened = true;
    HandOverServer s = server;
    if (s != null) {
      s.stopListening();
    }
    proxy.stopAccepting();
    if (dns != null) {
      dns.stopReading();
    }
    if (tunnels != null) {
      // Over the TCP fallback agents reconnect through the HTTPS edge, now the new agent's alone.
      tunnels.moveAgents(false);
    }
    resources.closeAllButKept();
  }

  /**
   * Before taking over: warns when queued connections would be reset, and refuses a build that
   * would change routing.db's schema under the running agent.
   *
   * @return null
   * @throws IllegalStateException saying what would change
   */
  static @Nullable Void preflight(Path routingDb) {
    warnUnlessAcceptQueuesMigrate();
    io.edgeproxy.sql.RoutingDb.schemaChange(routingDb).ifPresent(change -> {
      throw new IllegalStateException("this edgeproxy changes routing.db's schema (" + change + "), which the running agent"
          + " would then run on: stop it and start this one instead (systemctl restart edgeproxy)");
    });
    return null;
  }

  /**
   * Loads the replication credentials this agent will use, before the running one lets go.
   *
   * @return null
   */
  static @Nullable Void checkCredentials(io.edgeproxy.core.config.@Nullable ReplicationConfig config,
      HandOverClient.@Nullable Ready old) {
    if (config == null || old == null) {
      return null; // no replication, or not taking over: Replicator.start checks them
    }
    String nodeId = config.nodeId() != null ? config.nodeId() : old.nodeId();
    if (nodeId != null) {
      io.edgeproxy.replication.Replicator.checkCredentials(config, nodeId);
    }
    return null;
  }

  /** Whether the running agent's DNS sockets are the ones {@code wanted} names (any, for port 0). */
  static boolean sameDnsAddress(HandOverClient.Ready running, InetSocketAddress wanted) {
    return running.dnsAddress() != null && (wanted.getPort() == 0 || running.dnsAddress().equals(SocketAddresses.format(wanted)));
  }

  /** Warns when closing a listener would reset, not move, its queued connections (tcp_migrate_req, Linux 5.14+). */
  private static void warnUnlessAcceptQueuesMigrate() {
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
