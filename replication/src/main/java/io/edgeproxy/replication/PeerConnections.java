package io.edgeproxy.replication;

import io.edgeproxy.replication.cluster.Membership;
import io.edgeproxy.replication.stream.PeerLink;
import io.edgeproxy.replication.stream.ReplicaEndpoint;
import io.edgeproxy.replication.tls.NodeCredentials;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The peers membership reports and this POP's change-stream link to each: a link is opened (and
 * retried with backoff, up to 10 s apart) when a peer comes up, closed when it goes. Thread-safe.
 */
final class PeerConnections {
  /** What a connection needs from the replicator. */
  record Wiring(EventLoopGroup io, NodeCredentials credentials, ReplicaEndpoint endpoint, ScheduledExecutorService timer,
      WarnOncePerMinute warnings, Runnable untrustedPeer, Consumer<PeerLink> connected) {}

  private final Wiring wiring;
  private final Map<String, PeerLink> links = new ConcurrentHashMap<>();
  private final Map<String, PeerState> peers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  PeerConnections(Wiring wiring) {
    this.wiring = wiring;
  }

  void up(Membership.Peer peer) {
    connectWithRetry(peers.computeIfAbsent(peer.nodeId(), id -> new PeerState(peer)), Duration.ofMillis(100));
  }

  void down(String nodeId) {
    peers.remove(nodeId);
    PeerLink link = links.remove(nodeId);
    if (link != null) {
      link.close();
    }
  }

  private void connectWithRetry(PeerState state, Duration backoff) {
    String node = state.peer.nodeId();
    if (closed || links.containsKey(node) || !peers.containsKey(node)) {
      return;
    }
    wiring.timer().execute(() -> {
      try {
        PeerLink link = PeerLink.connect(wiring.io(), node, state.peer.streamAddress(), wiring.credentials(), wiring.endpoint());
        PeerLink previous = links.put(node, link);
        if (previous != null) {
          previous.close();
        }
        wiring.connected().accept(link);
      } catch (RuntimeException e) {
        if (isTlsFailure(e)) {
          wiring.untrustedPeer().run(); // an untrusted or mismatched certificate: a peer we must not talk to
        }
        wiring.warnings().warn("connect:" + node, e.getMessage() + "; retrying");
        Duration next = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : backoff.multipliedBy(2);
        wiring.timer().schedule(() -> connectWithRetry(state, next), backoff.toMillis(), TimeUnit.MILLISECONDS);
      }
    });
  }

  private static boolean isTlsFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException) {
        return true;
      }
    }
    return false;
  }

  /** The peer's progress, or null when membership does not (or no longer) list it. */
  @Nullable PeerState state(String nodeId) {
    return peers.get(nodeId);
  }

  @Nullable PeerLink link(String nodeId) {
    return links.get(nodeId);
  }

  Collection<PeerLink> links() {
    return links.values();
  }

  /** Every listed peer, by node id. */
  List<ReplicationStatus.Peer> status() {
    List<ReplicationStatus.Peer> out = new ArrayList<>();
    for (PeerState s : peers.values()) {
      PeerLink link = links.get(s.peer.nodeId());
      out.add(s.status(link != null && link.isActive()));
    }
    out.sort(Comparator.comparing(ReplicationStatus.Peer::nodeId));
    return out;
  }

  void close() {
    closed = true;
    links.values().forEach(PeerLink::close);
    links.clear();
  }
}
